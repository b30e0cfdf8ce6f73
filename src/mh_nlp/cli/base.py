"""The ``mh-nlp`` command group and what every command module shares (one-line errors, loading the corpus,
progress on stderr). Command modules import this module only, never the package ``__init__``."""
from __future__ import annotations

import re
from pathlib import Path

import click

from .. import __version__


class UserError(click.ClickException):
    """A problem with the user's input: printed as one line, exit status 1."""

    def show(self, file=None) -> None:  # one line, no traceback, no usage dump
        click.echo(f"mh-nlp: error: {self.format_message()}", err=True)


class StatementsCommand(click.Command):
    """A command whose arguments are statements: one that starts with ``-`` (a bullet, "- de wachtlijsten ...")
    would be read as an unknown option; the error says to put it after ``--``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        given = list(args)  # the parser consumes the list it is given
        try:
            return super().parse_args(ctx, args)
        except click.NoSuchOption:
            head = given[:given.index("--")] if "--" in given else given
            bullet = next((a for a in head if a.startswith("-") and any(c.isspace() for c in a.split("=")[0])), None)
            if bullet is None:
                raise
            short = bullet if len(bullet) <= 40 else bullet[:37] + "..."
            raise click.UsageError(f"{short!r} starts with '-' and is read as an option: put statements that start "
                                   f"with '-' after --, e.g. mh-nlp {ctx.info_name} -- \"{short}\"", ctx) from None


def _given_file(text: str) -> str | None:
    """``text`` stripped when it names an existing file as a user types one (with an extension, or a path: "my
    notes.txt", "notulen/sessie1"), else None: a statement that happens to be a file's name ("Politie") is a
    statement."""
    return _given_path(text, lambda path: (path.suffix != "" or "/" in text or "\\" in text) and path.is_file())


def _given_folder(text: str) -> str | None:
    """``text`` stripped when it names an existing folder written as a path ("notulen/", "./map", "/data/x"), else
    None (QA 52a D12: classify took "./map/" for a statement)."""
    return _given_path(text, lambda path: ("/" in text or "\\" in text) and path.is_dir())


def _given_path(text: str, names_one) -> str | None:
    """``text`` stripped when it may be a path and ``names_one(Path)`` says it names what is asked for, else None."""
    name = text.strip()
    if not name or "\n" in name or len(name) > 4096:
        return None
    try:
        return name if names_one(Path(name)) else None
    except (OSError, ValueError):
        return None


def _warn(message: str) -> None:
    """A warning on stderr, one line, as every command prints it."""
    click.echo(f"mh-nlp: warning: {message}", err=True)


def _damaged_data(changed: list[str]) -> dict[str, str]:
    """Of the ``changed`` data files (names as :func:`mh_nlp.themes.store.data_changed` gives them), those that
    ``classify`` and ``label`` read or a user is told to check and that cannot be read: name -> the one-line error."""
    from ..exceptions import MhNlpError

    damaged: dict[str, str] = {}
    for name in changed:
        try:
            if name == "stance_cues.json":
                from ..themes.features import load_cues

                load_cues()
            elif name == "quotes.jsonl":
                from ..corpus.records import load_quotes

                load_quotes()
        except (MhNlpError, OSError) as exc:
            damaged[name] = str(exc)
    return damaged


def _stale_warning(path: Path, meta: dict | None) -> str | None:
    """The warning of ``classify``, ``label`` and ``serve`` for a model trained on other data files than there are
    now (QA 49a D4), or None. A changed file that these commands read and that cannot be read is an error of its own
    a moment later, naming it: then no advice to retrain (the data is at fault, not the model). A changed quotes file
    that cannot be read, which they do not read (the model keeps the quotes it learnt), is said as damaged (QA 49c
    N3: nothing was said)."""
    from ..exceptions import MhNlpError
    from ..themes.store import data_changed, stale_data_message

    try:
        changed = data_changed(meta or {})
    except (MhNlpError, OSError):
        return None
    damaged = _damaged_data(changed)
    if "stance_cues.json" in damaged:
        return None
    if "quotes.jsonl" in damaged:
        return (f"{damaged['quotes.jsonl']}: the anthology quotes changed since the model was trained and cannot be "
                "read (the model keeps the quotes it learnt); `mh-nlp corpus check` says what is wrong")
    return stale_data_message(path, meta or {}, changed)


def _guard(fn, *args, **kwargs):
    """Run ``fn`` turning expected failures (every error of :mod:`mh_nlp.exceptions`, such as a bad row of the
    written statements, and OS errors) into one-line errors."""
    from ..exceptions import MhNlpError

    try:
        return fn(*args, **kwargs)
    except (MhNlpError, OSError) as exc:
        raise UserError(str(exc)) from None


_EXIT_FAST = False


def _exit_fast() -> None:
    """At exit, move every object to the garbage collector's permanent generation: the interpreter's last
    collections then skip them (after spaCy, some 0.2 s of a one-statement command, spent on objects the
    process is about to give back anyway). Objects are still freed, ``atexit`` handlers still run."""
    global _EXIT_FAST
    if not _EXIT_FAST:
        _EXIT_FAST = True
        import atexit
        import gc

        atexit.register(gc.freeze)  # registered first of the command's handlers, so it runs after them


EXIT_INTERRUPTED = 130  # Ctrl-C, as a shell reports a process ended by SIGINT


def interrupted(what: str = "interrupted", exit_code: int = EXIT_INTERRUPTED) -> UserError:
    """The one-line error of a command stopped by Ctrl-C (exit status 130) or another signal (128 + its number)."""
    err = UserError(what)
    err.exit_code = exit_code
    return err


class _OneLineUsageError(click.UsageError):
    """click's usage error (exit status 2) as one line that names the command's help, not three (``command_path``:
    that command, when the error's context does not know it)."""

    def __init__(self, message: str, ctx: click.Context | None = None, command_path: str | None = None):
        super().__init__(message, ctx)
        self.command_path = command_path

    def show(self, file=None) -> None:
        path = self.command_path or (self.ctx.command_path if self.ctx is not None else "mh-nlp")
        where = f"`{path} --help`"
        click.echo(f"mh-nlp: error: {self.format_message()} (see {where})", err=True)


class FloatRange(click.FloatRange):
    """click's FloatRange that refuses ``nan`` too (it passes every comparison: ``--min-confidence nan`` marked
    nothing uncertain)."""

    def convert(self, value, param, ctx):
        number = super().convert(value, param, ctx)
        if number != number:
            self.fail(f"{value!r} is not a number", param, ctx)
        return number


class _Group(click.Group):
    """The command group: Ctrl-C in any command is one line and exit status 130 (click's default printed
    "Aborted!" and exited 1), unless the command says more itself; a usage error (an unknown option, a missing
    argument) is one line too, and so is any error of :mod:`mh_nlp.exceptions` a command lets through. Its
    subgroups (``corpus``, ``entities``) are of this class too (``group_class = type``)."""

    group_class = type

    def make_context(self, *args, **kwargs) -> click.Context:
        try:  # the group's own options ("mh-nlp --bad")
            return super().make_context(*args, **kwargs)
        except click.UsageError as exc:
            raise _one_line(exc) from None

    def invoke(self, ctx: click.Context):
        from ..exceptions import MhNlpError

        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            raise interrupted() from None
        except click.UsageError as exc:  # a subcommand's option without its value comes without its context
            sub = ctx.invoked_subcommand  # set before the subcommand reads its arguments
            path = f"{ctx.command_path} {sub}" if sub and (exc.ctx is None or exc.ctx is ctx) else None
            raise _one_line(exc, path) from None
        except MhNlpError as exc:  # an error raised on purpose that a command did not put in its own words: one line
            raise UserError(str(exc)) from None


def _one_line(exc: click.UsageError, command_path: str | None = None) -> click.UsageError:
    """``exc`` as a one-line usage error; a group called without its command keeps showing its help, as asked.
    ``command_path``: the command whose help to name when ``exc`` does not know it (QA 43b: ``label x -o`` said
    "see `mh-nlp --help`")."""
    if isinstance(exc, _OneLineUsageError) or type(exc).__name__ == "NoArgsIsHelpError":
        return exc
    return _OneLineUsageError(exc.format_message(), exc.ctx, command_path)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mh-nlp")
def main() -> None:
    """Sort Dutch statements about human trafficking into the anthology's themes."""
    _exit_fast()
    _printable_streams()


def argument_text(value: str) -> str:
    """A command-line argument as text. Python hands over bytes that are not UTF-8 as lone surrogates
    (surrogateescape), which would be classified as such and printed as invalid UTF-8: they are read as
    Windows-1252 instead, with a warning, as standard input is."""
    if not any("\udc80" <= c <= "\udcff" for c in value):
        return value
    _warn("an argument is not UTF-8; its other bytes read as Windows-1252 (cp1252)")
    # each byte that was no UTF-8 (Python keeps it as U+DC80-U+DCFF) read as cp1252; the valid UTF-8 stays as it is
    return re.sub("[\udc80-\udcff]", lambda m: bytes([ord(m.group()) - 0xDC00]).decode("cp1252", errors="replace"),
                  value)


def _json_out(obj, **kwargs) -> str:
    """``obj`` as JSON for standard output: letters as they are on a UTF-8 stream, ``\\u`` escapes on any other (a
    Windows console's cp1252 has no emoji, and its escape would not be JSON)."""
    import sys

    from ..corpus.jsonl import json_line

    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "").replace("_", "")
    return json_line(obj, ensure_ascii=encoding != "utf8", **kwargs)


def _printable_streams() -> None:
    """A character the terminal's encoding lacks (an emoji on a Windows-1252 console, a file name in no known
    encoding) is printed as a ``\\x..`` escape instead of ending the command with a traceback."""
    import sys

    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure") and stream.errors == "strict":
            stream.reconfigure(errors="backslashreplace")


def _load_quotes(quotes_path: Path | None):
    from ..corpus.records import load_quotes

    quotes = _guard(load_quotes, quotes_path)
    if not quotes:
        raise UserError(f"{quotes_path or 'data/quotes.jsonl'}: no quote records (a quotes file holds one JSON "
                        "record a line)")
    return quotes


def _load(quotes_path: Path | None):
    from ..corpus.records import load_taxonomy

    return _load_quotes(quotes_path), _guard(load_taxonomy)



def _progress(quiet: bool):
    """A progress printer on stderr (silent with --quiet)."""
    return None if quiet else (lambda msg: click.echo(f"  .. {msg}", err=True))
