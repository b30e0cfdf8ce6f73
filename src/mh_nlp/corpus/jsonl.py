"""Reading the project's hand-made JSON Lines files (written statements, stance statements, outside sentences) row
by row, so that a bad row is refused with a one-line message naming the file and the row."""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Iterator, Sequence


def folded(text: str) -> str:
    """Text without case, accents or invisible characters (a soft hyphen, a zero-width space, a combining grapheme
    joiner or a variation selector inside a word), spaces and line breaks collapsed: "Zorgcoördinatie" and
    "zorgcoordinatie" fold alike. The review screen's search compares texts so."""
    t = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in t if unicodedata.category(c) not in ("Mn", "Me", "Cf")).split())


def normal_form(text: str) -> str:
    """Text compared for copies: :func:`folded`, and its punctuation dropped."""
    return " ".join(re.findall(r"\w+", folded(text)))


def has_words(text: str) -> bool:
    """Whether a text holds a word at all: "12345", "?!" or emoji hold nothing to sort into a theme or to learn
    from (``classify``, ``label``'s kinds, the API and ``train --add`` share this one test)."""
    return any(ch.isalpha() for ch in text)


# control characters other than tab and line breaks (C0, DEL, C1) and the bidirectional overrides that can make a
# text display as something else than it is: not text a person typed (the review screen's API and ``train --add``
# refuse them, ``classify`` shows them escaped)
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


_LINE_BREAKS = {0x85: "\\u0085", 0x2028: "\\u2028", 0x2029: "\\u2029"}


def json_line(obj, ensure_ascii: bool = False, **kwargs) -> str:
    """``obj`` as one line of JSON. Line and paragraph separators (U+0085, U+2028, U+2029) stay escapes: JSON allows
    them raw, but a reader that splits on every line break (Python's ``splitlines``, JavaScript before ES2019)
    would cut the line in two."""
    import json

    return json.dumps(obj, ensure_ascii=ensure_ascii, **kwargs).translate(_LINE_BREAKS)


def json_rows(path: Path, what: str, fields: Sequence[str], error: type[Exception], numbers: Sequence[str] = (),
              missing_ok: bool = False) -> Iterator[tuple[int, str, dict]]:
    """(row number, where, record) of each non-blank row of ``path``, each a JSON object with the text ``fields``
    (and the whole-number ``numbers``); ``error`` names the first bad row (or the file that is missing, ``what``
    saying what it should hold, unless ``missing_ok``: then there are no rows)."""
    import json

    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        if missing_ok:
            return
        raise error(f"{path}: no such file ({what})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path}: cannot be read ({exc.__class__.__name__})") from None
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}: row {n}"
        try:
            d = json.loads(line)
        except (json.JSONDecodeError, RecursionError):
            raise error(f"{where}: not valid JSON (or nested too deeply)") from None
        if not isinstance(d, dict) or any(not isinstance(d.get(f), str) for f in fields) or any(
                not isinstance(d.get(f), int) or isinstance(d.get(f), bool) for f in numbers):
            raise error(f"{where}: needs the text fields {', '.join(fields)}"
                        + (f" and the whole numbers {', '.join(numbers)}" if numbers else ""))
        yield n, where, d


class Unique:
    """Refuses a repeated id or text (compared by :func:`normal_form`) with ``error``, naming the row it repeats."""

    def __init__(self, error: type[Exception]):
        self.error = error
        self.ids: dict[str, int] = {}
        self.texts: dict[str, int] = {}

    def check(self, where: str, n: int, id_: str, text: str) -> None:
        if id_ in self.ids:
            raise self.error(f"{where}: id {id_} repeats row {self.ids[id_]}")
        key = normal_form(text)
        if key in self.texts:
            raise self.error(f"{where}: same text as row {self.texts[key]}")
        self.ids[id_], self.texts[key] = n, n
