"""The ``mh-nlp`` command group and what every command module shares (one-line errors, loading the corpus,
progress on stderr). Command modules import this module only, never the package ``__init__``."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import __version__


class UserError(click.ClickException):
    """A problem with the user's input: printed as one line, exit status 1."""

    def show(self, file=None) -> None:  # one line, no traceback, no usage dump
        click.echo(f"mh-nlp: error: {self.format_message()}", err=True)


def _guard(fn, *args, **kwargs):
    """Run ``fn`` turning expected failures into one-line errors."""
    from ..corpus.records import CorpusError
    from ..paths import DataNotFound

    try:
        return fn(*args, **kwargs)
    except (CorpusError, DataNotFound, OSError) as exc:
        raise UserError(str(exc)) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mh-nlp")
def main() -> None:
    """Sort Dutch statements about human trafficking into the anthology's themes."""


def _load(quotes_path: Path | None):
    from ..corpus.records import load_quotes, load_taxonomy

    return _guard(load_quotes, quotes_path), _guard(load_taxonomy)



def _progress(quiet: bool):
    """A progress printer on stderr (silent with --quiet)."""
    return None if quiet else (lambda msg: click.echo(f"  .. {msg}", err=True))
