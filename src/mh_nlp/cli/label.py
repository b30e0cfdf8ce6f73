"""``mh-nlp classify`` and ``mh-nlp label``: classifying notes and batch-labelling files (registered on import)."""
from __future__ import annotations

import contextlib
import io
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import click

from .base import (FloatRange, StatementsCommand, UserError, _given_file, _given_folder, _json_out, _stale_warning, _warn,
                   argument_text, main)
from ..corpus.jsonl import CONTROL_CHARS, has_words
from ..corpus.records import quoted_sections
from ..exceptions import MhNlpError
from ..themes.prediction import (OFF_SUBJECT_BELOW, UNCERTAIN_BELOW, Prediction, ThemeClassifier, is_correction,
                                 nonstatement_json, prediction_json, shown_probability, shown_similarity)
from ..io.readers import (MAX_CHARS, SPLITS, SUFFIX_LIST, TABLE_SUFFIXES, ReadError, bare_heading, chapter_caption,
                          check_input, extra_fields, markdown_heading, reads_as)
from ..io.writers import OUTPUT_SUFFIXES, SUMMARY_SUFFIXES, OutputError, OutputLock, OutputUnwritable, check_output, \
    open_writer, summary_text, StagedSummary

EXIT_OK = 0
EXIT_FAILED = 1  # nothing could be labelled, or bad input/options: no output written
EXIT_PARTIAL = 3  # some inputs failed; the others' rows were written (click uses 2 for usage errors)
EXIT_INTERRUPTED = 130  # Ctrl-C: no output written

CLASSIFY_BATCH = 64


def _error(message: str) -> None:
    click.echo(f"mh-nlp: error: {message}", err=True)


def _load_classifier(model: Path | None) -> ThemeClassifier:
    """The theme classifier (``mh_nlp.themes.classifier.load_classifier``), imported lazily; UserError if unusable."""
    try:
        from ..themes.classifier import load_classifier
    except ImportError as exc:
        raise UserError(f"the theme classifier is not available ({exc})") from None
    try:
        clf = load_classifier(model)
    except MemoryError:
        raise UserError(f"{model}: cannot be loaded (it needs more memory than there is)") from None
    except (RuntimeError, OSError, ValueError, ImportError, EOFError) as exc:
        raise UserError(str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__) from None
    _warn_if_stale(model, getattr(clf, "metadata", None))
    return clf


def _warn_if_stale(model: Path | None, meta: dict | None) -> None:
    """One warning when the model was trained on other data files than there are now (QA 49a D4: classify and label
    used such a model without a word; a new title showed on a prediction the model never learnt). Hashing the data
    files takes a few milliseconds."""
    from ..themes.store import default_model_path

    message = _stale_warning(model or default_model_path(), meta)
    if message:
        _warn(message)


def _require_in_order(clf: ThemeClassifier) -> None:
    """UserError unless ``clf`` can read a note in order (``--in-order``)."""
    from ..themes.store import ModelError

    check = getattr(clf, "require_in_order", None)
    if check is None:
        raise UserError("this classifier cannot read statements in order")
    try:
        check()
    except ModelError as exc:
        raise UserError(str(exc)) from None


def _find_entities(texts: Sequence[str]) -> list[list[dict[str, Any]]]:
    """Entities per text (``mh_nlp.nlp.entities.find_entities_batch``), imported lazily."""
    from ..nlp.entities import find_entities_batch

    return find_entities_batch(list(texts), batch_size=64, n_process=1)


def _entity_finder() -> Callable[[Sequence[str]], list[list[dict[str, Any]]]]:
    """Wrap :func:`_find_entities` so a missing or failing entity recogniser warns once and yields no entities."""
    state = {"ok": True}

    def find(texts: Sequence[str]) -> list[list[dict[str, Any]]]:
        if state["ok"]:
            try:
                return [list(e) for e in _find_entities(texts)]
            except KeyboardInterrupt:
                raise
            except Exception as exc:  # noqa: BLE001 - entities are an extra: never lose the themes over them
                state["ok"] = False
                detail = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
                _warn(f"entity recognition unavailable ({detail}); entity ids left empty")
        return [[] for _ in texts]

    return find


class _Progress:
    """A one-line statement counter on stderr, shown only on a terminal and without --quiet. Rows arrive a batch at
    a time (many seconds apart on a cold embedding cache), so a ticker thread redraws the line every ``tick``
    seconds with the time spent: the user sees the run is alive before the first batch is done, and the count
    reached after a burst of rows."""

    TICK = 1.0

    def __init__(self, enabled: bool, every: float = 0.2, batch_size: int = 0):
        self.enabled = enabled
        self.every = every
        self.batch_size = batch_size
        self._last = 0.0
        self._drawn: tuple | None = None  # the state the line shows
        self._shown = False
        self.start = time.monotonic()
        self.partitions = ""  # with --scheduler: partitions done / submitted
        self._state: tuple[int, str, int, int] = (0, "", 0, 0)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        if enabled:
            threading.Thread(target=self._tick, name="mh-nlp-progress", daemon=True).start()

    def update(self, count: int, source: str, index: int, total: int) -> None:
        if not self.enabled:
            return
        with self._lock:
            self._state = (count, source, index, total)
            if time.monotonic() - self._last >= self.every:
                self._draw()

    def _draw(self) -> None:  # with the lock held
        now = time.monotonic()
        self._drawn = self._state
        count, source, index, total = self._state
        elapsed = now - self.start
        if count == 0:
            batch = f"; rows come a batch of up to {self.batch_size:,} statements at a time" \
                if self.batch_size > 1 else ""
            line = f"  labelling... {elapsed:,.0f} s{batch}{self.partitions}"
        else:
            line = (f"  labelled {count:,} statement{'s' if count != 1 else ''} ({count / max(elapsed, 1e-9):,.0f}/s, "
                    f"{elapsed:,.0f} s){self.partitions} - file {index}/{total}: {Path(source).name[:40]}")
        click.echo(f"\r\x1b[K{line}", err=True, nl=False)
        self._shown = True
        self._last = now

    def _tick(self) -> None:
        """Every ``every`` seconds: the count reached, when rows came since the line was drawn (a batch's rows arrive
        in a burst, faster than ``update`` draws: QA 52a D5 saw "labelled 1 statement" after 600); at least every
        ``TICK`` the time spent."""
        while not self._stop.wait(self.every):
            with self._lock:
                since = time.monotonic() - self._last
                if not self._stop.is_set() and (since >= self.TICK or (
                        since >= self.every and self._state != self._drawn)):
                    self._draw()

    def partition(self, done: int, submitted: int) -> None:
        self.partitions = f" - partitions: {done:,} done, {submitted - done:,} on the cluster"

    def say(self, write) -> None:
        """Call ``write`` (a warning or an error line) with the counter taken off the line first."""
        with self._lock:
            self._erase()
            write()

    def _erase(self) -> None:
        if self._shown:
            click.echo("\r\x1b[K", err=True, nl=False)
            self._shown = False

    def clear(self) -> None:
        with self._lock:
            self._erase()

    def close(self) -> None:
        """Stop the ticker and take the counter off the line, after drawing the count reached if it was not shown."""
        self._stop.set()
        with self._lock:
            if self.enabled and self._state[0] and self._state != self._drawn:
                self._draw()
        self.clear()


def _stderr_is_tty() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


# ---------------------------------------------------------------- classify

def _read_some(stream) -> bytes:
    """What standard input has ready (at least one byte unless it is empty), without waiting for all of it."""
    return stream.read1(8192) if hasattr(stream, "read1") else stream.read(8192)


def _byte_lines(first: bytes, stream) -> Iterator[bytes]:
    """The lines of ``first`` and then of the rest of ``stream``, as they come."""
    pending = first
    while True:
        *lines, pending = pending.split(b"\n")
        yield from (line + b"\n" for line in lines)
        chunk = _read_some(stream)
        if not chunk:
            break
        pending += chunk
    if pending:
        yield pending


def _stdin_texts() -> Iterator[str]:
    """Lines of standard input (UTF-8; UTF-16/32 by a byte-order mark or zero bytes; else Windows-1252 with a
    warning), stripped, blank ones skipped."""
    from ..io.readers import NUL_TOLERATED, looks_binary

    warned = False
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # a text-only stdin (embedded use): encode back to bytes
        stream = (line.encode("utf-8", errors="surrogateescape") for line in sys.stdin)
    else:  # UTF-16/32 (PowerShell pipes, Notepad files) is told by its first bytes: read as such, not line by line
        from ..io.readers import wide_encoding

        head = _read_some(stream)
        wide = wide_encoding(head)
        if wide:
            for line in (head + stream.read()).decode(wide, errors="replace").splitlines():
                line = line.lstrip("\ufeff").strip()
                if line:
                    yield line
            return
        if looks_binary(head[:8192].rstrip(b"\x00")):  # NUL bytes that end it may be padding (below)
            raise UserError("<stdin>: binary data, not text")
        stream = _byte_lines(head, stream)
    nuls = padding = 0
    lines = iter(stream)
    following = next(lines, None)
    n = 0
    while following is not None:
        raw, following = following, next(lines, None)
        n += 1
        if following is None and raw.endswith(b"\x00"):  # NUL bytes that end the input: padding, not binary data
            kept = raw.rstrip(b"\x00")
            if kept.strip() or n > 1:
                padding, raw = len(raw) - len(kept), kept
        if b"\x00" in raw and looks_binary(raw):  # past the first 8 KB that were looked at above
            raise UserError(f"<stdin>: line {n} holds a NUL byte: binary data, not text")
        try:
            line = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            line = raw.decode("cp1252", errors="replace")
            if not warned:
                _warn("<stdin>: not UTF-8; read as Windows-1252 (cp1252)")
                warned = True
        if "\x00" in line:  # a stray zero byte in UTF-8 text (QA 45a): a space, as in a file; many are binary data
            nuls += line.count("\x00")
            if nuls > NUL_TOLERATED:
                raise UserError(f"<stdin>: line {n} holds a NUL byte: binary data, not text")
            _warn(f"<stdin>: line {n} holds a NUL byte (binary zero): read as a space")
            line = " ".join(part.strip(" ") for part in line.split("\x00"))
        line = line.strip()
        if line:
            yield line
    if padding:
        _warn(f"<stdin>: ends in {padding:,} NUL byte{'s' if padding != 1 else ''} (binary zero, padding): left out")


def _visible(text: str) -> str:
    """``text`` with its control characters as escapes (``\\x1b``): an ESC in a statement must not reach the
    terminal as a command."""
    return CONTROL_CHARS.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def _prediction_human(text: str, p: Prediction, entities: list[dict[str, Any]]) -> str:
    shown = _visible(text if len(text) <= 200 else text[:197] + "...")
    prob = lambda x: shown_probability(x, UNCERTAIN_BELOW)  # noqa: E731 - QA 48b D10: no 1.00 that is not 1
    top = " | ".join(f"{c.section} {c.title} ({prob(c.score)})" for c in p.top[:3])
    orgs: dict[str, None] = {}
    other: dict[str, None] = {}
    for e in entities:
        name = f"{e.get('text')} [{e.get('id')}]" if e.get("id") else str(e.get("text"))
        if e.get("label") in (None, "ORG"):
            orgs.setdefault(name, None)
        else:
            other.setdefault(f"{e.get('text')} ({e.get('label')})", None)
    lines = [
        shown,
        f"  section {p.section} {p.section_title}",
        f"  chapter {p.chapter} {p.chapter_title}   confidence {prob(p.confidence)}"
        + (" uncertain" if p.uncertain else "") + f" (chapter {prob(p.chapter_confidence)})",
        f"  top 3: {top}",
        f"  organisations: {', '.join(orgs) if orgs else '-'}",
    ]
    higher = [c for c in p.top[1:3] if round(c.score, 2) > round(p.confidence, 2)]  # the review page's rule
    if higher:  # QA 48b D12: the top 3 is not in descending order, as the review page explains
        lines.insert(4, f"  not in descending order: {' and '.join(c.section for c in higher)} higher alone, less "
                        f"probable chapter; {p.section} of the most probable chapter, chosen first (chapter "
                        f"{p.chapter}, {prob(p.chapter_confidence)})")
    if p.embedded_chars is not None:  # QA 48b D14: as --json's embedded_chars
        read = ("its words and organisations all count" if len(text) <= MAX_CHARS else  # QA 55 #8: not past 10,000
                f"its words and organisations count up to character {MAX_CHARS:,}, where reading stops")
        lines.insert(4 + bool(higher), f"  embedded in part: the first {p.embedded_chars:,} of its {len(text):,} "
                                       f"characters (the sentence encoder's window); {read}")
    if p.off_subject:  # QA 48b D5: near no section's title and keywords; QA 51a D10: no word at all
        if p.subject_similarity is not None and p.subject_similarity < OFF_SUBJECT_BELOW:
            why = f"near no section (similarity {shown_similarity(p.subject_similarity)}, below {OFF_SUBJECT_BELOW:g})"
        else:
            why = "none of its words is a word of a language (such as a run of x)"
        lines.insert(3, f"  perhaps not about the subject: {why}")
    if p.alone_section is not None:  # QA 48b D1: read in order, the note's context changed its chapter
        lines.insert(3, f"  read on its own: {p.alone_section} ({prob(p.alone_confidence)}), in another chapter; "
                        "the note's context changed it: check it")
    if other:
        lines.append(f"  other entities: {', '.join(other)}")
    def quote_line(e) -> str:
        mine = " (a reviewed statement this model learnt)" if is_correction(e.id) else ""  # corrected or confirmed
        return (f"    {e.similarity:.2f}  {e.section:<5} {e.id}{mine}  "
                f"{e.text if len(e.text) <= 110 else e.text[:107] + '...'}")

    if p.similar_quotes:
        lines.append("  nearest anthology quotes and corrections:" if any(is_correction(e.id) for e in p.similar_quotes)
                     else "  nearest anthology quotes:")
        lines += [quote_line(e) for e in p.similar_quotes]
    if p.section_quote is not None:  # QA 48b D9: none of those is of the section given
        lines += [f"  none of them is of {p.section}; its nearest quote:", quote_line(p.section_quote)]
    elif p.similar_quotes and all(e.section != p.section for e in p.similar_quotes) \
            and p.section not in quoted_sections():  # QA 48c (48b D9): and it has none to show
        lines.append(f"  none of them is of {p.section}, which has no anthology quote: the model knows it from the "
                     "team's written examples only")
    return "\n".join(lines)


@main.command(cls=StatementsCommand)
@click.argument("texts", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line: text, kind, section, section_title, "
              "chapter, chapter_title, confidence, chapter_confidence, top, entities, similar_quotes (the nearest "
              "anthology quotes; an analyst's statement the model learnt has reviewed: true), embedded_chars (how "
              "much of a long text was read), uncertain (confidence below "
              f"{UNCERTAIN_BELOW}, the review screen's threshold), not_dutch (does not read as Dutch, as the review "
              "page's 'not Dutch?'), off_subject and subject_similarity "
              "(perhaps not about the subject: near no section's title and keywords, or no word of a language), section_quote (the section's own "
              "nearest quote when none of similar_quotes is of it); read_alone when read in order "
              "and the note changed its chapter; heading and label_chapter "
              "when a heading or the statement's own label counted.")
@click.option("--model", type=click.Path(path_type=Path), help="Model file (default: models/theme-model.npz).")
@click.option("--in-order", is_flag=True, help="The statements are one note or transcript, read in order: each "
              "statement's neighbours count as evidence too (the theme tends to stay the same from one statement to "
              "the next, and the chapter when the theme changes). For notes that stay on a theme or a question for several "
              "statements at a time; a text that changes subject, or question, at almost every sentence is better read "
              "without it (it would be pulled into one chapter).")
@click.option("--heading", metavar="TEXT", help="The heading the statements stand under in your notes, e.g. "
              "'Problemen' or 'Wat gaat goed': a heading that names a chapter (data/chapter_headings.json) counts as "
              "evidence for it, as in `mh-nlp label`. A Markdown heading line ('## Ambities') among the statements "
              "takes over from it for the statements below.")
@click.option("--ignore-headings", is_flag=True, help="Do not use headings as evidence (--heading, or Markdown "
              "heading lines, which are still not classified).")
def classify(texts: tuple[str, ...], as_json: bool, model: Path | None, in_order: bool, heading: str | None,
             ignore_headings: bool) -> None:
    """Classify statements given as arguments, or one per line on standard input.

    \b
    Examples:
      mh-nlp classify "De NLA ziet meer arbeidsuitbuiting in distributiecentra."
      mh-nlp classify --json < notities.txt
      mh-nlp classify --in-order < verslag-rondetafel.txt
      mh-nlp classify --heading Problemen "De opvang van slachtoffers."
    A Markdown heading line ('## Problemen') is not a statement: a heading that names a chapter counts as evidence
    for the statements under it, as in `mh-nlp label` (said on stderr; --json adds "heading" to each of them);
    so is a caption line that names a chapter ('Knelpunten:'), up to the next heading or caption, and on
    standard input a chapter's name on a line of its own ('Knelpunten', 'Wat gaat er goed?').
    Entity offsets (start, end) are character offsets into the text as printed.
    Texts longer than 10,000 characters are classified on their first 10,000 (with a warning).
    A text without a word ('12345', '?!', emoji) is not classified (warned): a meta or chatter line, as
    `mh-nlp label` and the API read it ('42' is meta); an input with no word at all is an error.
    A meta or chatter line ('Ja.', 'Goedemorgen allemaal.', '12 maart 2026') gets no section, as in `mh-nlp label`:
    its kind is said instead (--json: "kind" and a null section; a statement's "kind" is "statement").
    A statement that starts with '-' (a bullet) goes after --: mh-nlp classify -- "- de wachtlijsten zijn lang".
    """
    from ..io.kinds import read_kind
    from ..nlp.language import reads_as_dutch
    from ..themes.headings import heading_chapter

    texts = tuple(argument_text(t) for t in texts)
    if heading is not None:
        heading = argument_text(heading)
    for t in texts:  # "mh-nlp classify notes.txt" would classify the words "notes.txt": say what does the job
        name = _given_file(t)
        if name is not None:
            raise UserError(f"{name} is a file, and classify takes statements: `mh-nlp label {name} -o labels.csv` "
                            f"labels its statements, `mh-nlp classify < {name}` classifies its lines")
        folder = _given_folder(t)
        if folder is not None:
            raise UserError(f"{folder} is a folder, and classify takes statements: `mh-nlp label {folder} -o "
                            f"labels.csv` labels the statements of the files in it")
    lines: Iterator[str] = (t.strip() for t in texts if t.strip()) if texts else _stdin_texts()
    if heading is not None and ignore_headings:
        _warn("--ignore-headings: the --heading given counts for nothing")
    if heading is not None and not ignore_headings and heading_chapter(heading) is None:  # said once, before any work
        _warn(f"the heading {heading.strip()!r} names no chapter (data/chapter_headings.json); it changes nothing")
    first_heading = (heading or "").strip() or None

    wordless: list[str] = []
    headings_only: list[str] = []

    def statements() -> Iterator[tuple[str | None, str]]:  # (heading, text); a Markdown heading line sets the heading
        current = first_heading
        # a line without a word ("42", "?!") is a meta or chatter line, given out as label and the API give it (QA 48c
        # N7); held back until a line with a word comes, so that an input of nothing else is one error, not objects
        held: list[tuple[str | None, str]] | None = []
        for line in lines:
            md = markdown_heading(line)
            if md is None:  # a caption that names a chapter ("Knelpunten:") heads the lines below it too
                md = chapter_caption(line)
            if md is None and not texts:  # so does a chapter's name on a line of its own ("Knelpunten") on stdin
                md = bare_heading(line)
            if md is None:
                if not has_words(line[:MAX_CHARS]):  # "12345", "?!", emoji: nothing to sort into a theme (in what
                    # is classified: a text's first MAX_CHARS characters)
                    _warn(f"{line[:40]!r} holds no words; not classified (a {read_kind(line, MAX_CHARS)} line)")
                    wordless.append(line)
                    if held is None:
                        yield current, line
                    else:
                        held.append((current, line))
                    continue
                if not reads_as_dutch(line[:MAX_CHARS]):
                    _warn(f"{line[:40]!r} does not read as Dutch; classified, but the theme model knows Dutch "
                          "statements only")
                if held:
                    yield from held
                held = None
                yield current, line
                continue
            current = md or None
            headings_only.append(line)
            if not ignore_headings:
                ch = heading_chapter(md)
                click.echo(f"mh-nlp: heading {md!r}: " + (
                    f"evidence for chapter {ch} for the statements under it" if ch else
                    "names no chapter (data/chapter_headings.json); it changes nothing"), err=True)

    source = statements()
    shown_heading = first_heading  # human output: a heading line is printed again when the heading changes
    clf = None
    find = _entity_finder()
    count = 0
    try:
        while True:
            batch, batch_headings = [], []
            for h, text in source:
                batch.append(text)
                batch_headings.append(h)
                if len(batch) >= CLASSIFY_BATCH and not in_order:  # in order: the whole note is one batch
                    break
            if not batch:
                break
            if clf is None:
                clf = _load_classifier(model)
            for t in batch:  # named by its start, as a text without words is (a count would skip those)
                if len(t) > MAX_CHARS:
                    _warn(f"{t[:40]!r}... is {len(t):,} characters long; classified on its first {MAX_CHARS:,} (the rest, "
                          f"and the organisations in it, not read: `mh-nlp label` splits a long text into pieces)")
            # a meta or chatter line ("Ja.", "Goedemorgen allemaal.", "12 maart 2026") gets its kind and no section, as
            # in `mh-nlp label` and on the review screen (QA 48b D4); it is no part of a note read in order either
            kinds = [read_kind(t, MAX_CHARS) for t in batch]
            said = [i for i, k in enumerate(kinds) if k == "statement"]
            short = [batch[i][:MAX_CHARS] for i in said]
            said_headings = [batch_headings[i] for i in said]
            if in_order:
                _require_in_order(clf)
            order = {"in_order": True} if in_order else {}  # a classifier without the option is never asked for it
            if not ignore_headings and any(heading_chapter(h) for h in said_headings):
                order = {**order, "headings": said_headings}
            preds, ents = [], []
            if not short:
                pass
            elif hasattr(clf, "analyse"):  # themes and entities from one spaCy pass
                preds, ents = map(list, zip(*clf.analyse(short, **order)))
            else:
                preds, ents = clf.predict_details(short, **order), find(short)
            answers = iter(zip(preds, ents))
            for text, h, kind in zip(batch, batch_headings, kinds):
                p, e = next(answers) if kind == "statement" else (None, [])
                if p is None:
                    if as_json:
                        click.echo(_json_out(nonstatement_json(text, kind) | ({"heading": h} if h else {})))
                    else:
                        click.echo(f"{_visible(text[:200])}\n  {kind}: not classified, no section (as in mh-nlp "
                                   f"label)\n")
                    continue
                if as_json:
                    rec = prediction_json(text, p, e)
                    if h:
                        rec["heading"] = h
                    click.echo(_json_out(rec))
                else:
                    if h != shown_heading and h:
                        click.echo(f"## {h}\n")
                    shown_heading = h
                    click.echo(_prediction_human(text, p, e) + "\n")
            if in_order and preds:  # how the note was read, beside the output (stdout stays one JSON per line)
                from ..themes.context import note_reading

                click.echo(f"mh-nlp: {note_reading(getattr(preds[0], 'note_stay', None), statements=len(preds))}",
                           err=True)
            count += sum(has_words(t[:MAX_CHARS]) for t in batch)
    except KeyboardInterrupt:
        _error("interrupted")
        sys.exit(EXIT_INTERRUPTED)
    except BrokenPipeError:  # e.g. piped into head
        sys.stderr.close()
        sys.exit(EXIT_OK)
    if count == 0 and wordless:
        raise UserError("nothing to classify: no text holds a word")
    if count == 0 and headings_only:
        raise UserError("no statements: only headings or captions were given (the statements go on the lines below "
                        "them)")
    if count == 0:
        raise UserError("no text given: the text is empty (pass statements as arguments or one per line on "
                        "standard input)")


# ---------------------------------------------------------------- label

def _close_client(client: Any) -> None:
    """Close a Dask client (and the local cluster it started) quietly; safe to call twice."""
    if client is None or getattr(client, "_mh_closed", False):
        return
    client._mh_closed = True
    from ..io.cluster import close

    try:
        close(client)
    except Exception:  # noqa: BLE001 - closing after an error or Ctrl-C: nothing left to save
        pass


_LABEL_HELP = f"""Label every statement of notes and transcripts with its theme; write one row per statement.

\b
Inputs:  .txt/.md (one statement per paragraph, bullet or line; broken lines rejoined),
         .docx/.odt (paragraphs, list items and tables in document order; a speaker |
         statement table reads as speaker + statement, position "table T row R"), .pdf
         (each page's text read as a text note, page numbers and running headers left
         out; position "page P"; a scanned PDF needs OCR first), .pptx (slide by slide,
         the slide's title as heading; position "slide S"), .csv/.xlsx (text
         column: --column, default text/tekst/statement/uitspraak; other columns carried
         through; every sheet not hidden, or --sheet; header row found below a title,
         or --header-row; position = the row number the spreadsheet shows), .jsonl
         (field text/tekst/statement/uitspraak in any case, or --column), .vtt/.srt (Teams/Zoom
         transcripts: one statement per speaker's turn, position = start time).
         Text files may be UTF-8, UTF-16 (with or without byte-order mark), UTF-32 (with one) or
         Windows-1252 (warned). Empty statements are skipped; one over 10,000 characters is
         split into pieces (warned); cells that cannot be read are counted in a warning.
Output:  by extension: {", ".join(OUTPUT_SUFFIXES)}. Columns: source, position, statement, kind, section,
         section_title, chapter, chapter_title, confidence, chapter_confidence, uncertain,
         top1..top3 (+_title, _score), entity_ids, similar_quotes (the nearest anthology
         quotes: id, section, similarity), not_dutch (does not read as Dutch, as the review
         page's "not Dutch?"), embedded_chars (a long statement: how many of its first
         characters the sentence encoder read; empty: all), off_subject (near no section, or
         no word of a language: perhaps not about the subject), subject_similarity (the cosine to the nearest section's
         title and keywords it is judged by), read_alone (read in order: its own section and confidence
         where the note gave it another chapter), section_quote (the section's own nearest quote
         where none of similar_quotes is of it), then what the reader found
         (heading, speaker, sheet) and the input's own columns.
         uncertain: the confidence is below --min-confidence, or without it below
         {UNCERTAIN_BELOW} (the review screen's threshold; the section is kept).
         kind: statement, meta (date, attendees, minute-taker, agenda headers, figures, a heading
         nothing stands under) or chatter (greetings, thanks, breaks); only statements get a section.
         Written to a temporary file and moved into place at the end; never overwritten
         without --force; never written over an input.

\b
Exit status:
  0    every input was labelled (warnings may have been printed)
  1    nothing could be labelled, or bad options/output: no output written
       (unless only the --summary file failed: the error says where the labels are)
  2    usage error (unknown option, missing argument)
  3    partial: some inputs failed (errors printed), the others' rows were written
  130  interrupted (Ctrl-C): no output written
  143  terminated (SIGTERM; 129 for SIGHUP): no output, no temporary file left

\b
One run per output: a second run to the same output refuses (one line) while the first
runs, unless --force; an output that appears while a run writes is never replaced
without --force.

\b
Example:
  mh-nlp label examples/*.md examples/notities.csv -o labels.csv --summary overzicht.md
  mh-nlp label transcripten/ -o labels.xlsx      (every note in the folder and its subfolders)
"""


@main.command(help=_LABEL_HELP)
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path, readable=False))
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path, readable=False),
              help=f"Output file ({', '.join(OUTPUT_SUFFIXES)}).")
@click.option("--column", help="Text column of .csv/.xlsx inputs (field of .jsonl inputs).")
@click.option("--sheet", "sheets", multiple=True, metavar="NAME",
              help="Sheet of .xlsx inputs to read (repeatable; default: every sheet that is not hidden).")
@click.option("--header-row", type=click.IntRange(min=1), default=None, metavar="N",
              help="Row number of the header in .csv/.xlsx inputs (default: found, the first row naming the "
                   "columns; rows above it are a title).")
@click.option("--split", type=click.Choice(SPLITS), default="paragraph", show_default=True,
              help="Statements of text inputs: per paragraph/bullet/line, or per sentence.")
@click.option("--min-confidence", type=FloatRange(0.0, 1.0), default=None,
              help="Mark statements whose section confidence is below this as uncertain (section left empty; "
                   "chapter kept if its own confidence reaches it). Without it, a statement below "
                   f"{UNCERTAIN_BELOW} (the review screen's threshold) is marked uncertain and keeps its section.")
@click.option("--keep-nonstatements/--drop-nonstatements", default=True, show_default=True,
              help="Meta lines (date, attendees, minute-taker, agenda) and chatter (greetings, thanks, breaks) "
                   "are never labelled: keep them as rows with their kind and an empty section, or leave them out.")
@click.option("--pseudonymise", "--pseudonymize", "pseudonymise", is_flag=True,
              help="Replace person names by Spreker 1, Spreker 2 ... (consistent over all inputs of the run): "
                   "speakers, speaker columns, attendee lines and names in the text; organisations are kept.")
@click.option("--name-finder", type=click.Choice(["rules", "deduce"]), default="rules", show_default=True,
              help="How --pseudonymise finds names in running text: context rules, or the rules plus the deduce "
                   "library (better recall, some 10 s to load; pip install 'mh-nlp[privacy]').")
@click.option("--drop-columns", metavar="A,B", default="",
              help="Leave these carried input columns out of the output (comma-separated, case-insensitive).")
@click.option("--summary", "summary_path", type=click.Path(path_type=Path, readable=False),
              help="Write the theme overview to this .md or .json file instead of printing it.")
@click.option("--delimiter", type=click.Choice([",", ";", "tab"]), default=None,
              help="Field separator of a .csv output (default ','; ';' opens in columns in Excel with Dutch "
                   "regional settings).")
@click.option("--excel-nl", is_flag=True, help="A .csv output for Excel with Dutch regional settings: ';' between "
              "fields and decimal commas (0,8123). An .xlsx output needs neither and is the safer choice.")
@click.option("--force", is_flag=True, help="Overwrite existing output (and summary) files.")
@click.option("--quiet", "-q", is_flag=True, help="No progress and no overview on the terminal (warnings and errors "
              "still go to stderr).")
@click.option("--batch-size", type=click.IntRange(min=1), default=1024, show_default=True,
              help="Statements classified at a time.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Processes that classify in parallel (default: one per core, at most 4; 1 = no extra processes).")
@click.option("--model", type=click.Path(path_type=Path), help="Model file (default: models/theme-model.npz).")
@click.option("--in-order", is_flag=True, help="Each input file is one note or transcript, read in order: a "
              "statement's neighbours count as evidence too (the theme tends to stay the same from one statement to "
              "the next, and the chapter when the theme changes). For notes that stay on a theme or a question for "
              "several statements at a time, not for texts that change subject, or question, at almost every sentence "
              "(they would be pulled into one chapter). Reads each file whole in this process: not with "
              "--scheduler.")
@click.option("--note-column", metavar="NAME", help="With --in-order: in .csv/.xlsx/.jsonl inputs, each run of "
              "rows with the same value in this column (e.g. the session's date) on one sheet is one note, read in order; "
              "without it a whole table is one note.")
@click.option("--ignore-headings", is_flag=True, help="Do not use headings as evidence. By default a Markdown or "
              "Word heading that names a chapter ('Trends', 'Problemen', 'Wat gaat goed', 'Ambities', "
              "data/chapter_headings.json) counts as evidence for the chapter of the statements under it.")
@click.option("--scheduler", metavar="ADDRESS",
              help="Label on a Dask cluster: tcp://HOST:PORT of a running scheduler, or local[:N] to start N "
                   "worker processes here (default: one per core). Partitions of --batch-size statements; the "
                   "model file is sent to the workers and checked there. Needs: pip install 'mh-nlp[cluster]'.")
@click.option("--max-unpacked-mb", type=FloatRange(1, 1_000_000), default=None,
              help="Largest size a .docx/.odt/.pptx/.xlsx input may unpack to (default 50, or $MH_NLP_MAX_UNPACKED_MB; "
                   "the XML parts of a .docx/.odt/.pptx together, or one stream of a PDF: a fifth of it); a larger "
                   "one (a decompression bomb?) is refused.")
def label(**options: Any) -> None:
    output, force = options["output"], options["force"]
    options["inputs"] = _expand_folders(options["inputs"], (output, options["summary_path"]), options["quiet"])
    try:
        check_output(output, options["inputs"], force, OUTPUT_SUFFIXES)  # a bad path: one line, before the lock
    except OutputError as exc:
        raise UserError(str(exc)) from None
    lock: OutputLock | None = OutputLock(output)
    try:
        lock.acquire()
        if lock.leftovers:
            _warn(f"{output}: removed {lock.leftovers} partial output{'s' if lock.leftovers != 1 else ''} that a "
                  "killed run had left beside it")
    except OutputError as exc:
        if not force or isinstance(exc, OutputUnwritable):
            raise UserError(str(exc)) from None
        _warn(f"{exc}; --force: going on, the run that finishes last replaces the output")
        lock = None
    from ..io import safezip

    if options["max_unpacked_mb"] is None and (problem := safezip.env_problem()):  # nan, inf: the limit off
        raise UserError(problem)
    try:
        with _signals_as_interrupt(), safezip.limits(max_unpacked_mb=options.pop("max_unpacked_mb")):
            try:
                _label(**options)
            finally:
                _restore_signals()
    except _Terminated as exc:  # before the output was opened: nothing to clean up
        _error(f"terminated ({signal.Signals(exc.signum).name}); no output written")
        sys.exit(128 + exc.signum)
    finally:
        if lock is not None:
            lock.release()


def _is_dir(path: Path) -> bool:
    """``path.is_dir()``, False when it cannot be told (inside a folder that cannot be searched: the file's own
    check then says why)."""
    try:
        return path.is_dir()
    except OSError:
        return False


def _expand_folders(inputs: tuple[Path, ...], outputs: tuple[Path | None, ...], quiet: bool) -> tuple[Path, ...]:
    """Each folder among ``inputs`` replaced by the notes in it and its subfolders (:func:`notes_in_folder`; the
    run's own outputs left out, the files left out counted in a warning); a folder without any stays, to fail as
    an input."""
    from ..io.readers import SAVE_AS, notes_in_folder

    out: list[Path] = []
    for path in inputs:
        if not _is_dir(path):
            out.append(path)
            continue
        found, left, unreadable = notes_in_folder(path, outputs)
        if left:
            _warn(f"{path}: {sum(left.values())} file{'s' if sum(left.values()) != 1 else ''} left out ("
                  + ", ".join(f"{reason} {n}" for reason, n in sorted(left.items())) + ")")
            for suffix in sorted(set(left) & set(SAVE_AS)):
                _warn(f"{path}: {suffix} files are not read: {SAVE_AS[suffix]}")
            if "linked folder" in left:  # named, so that a folder of many links can be searched (QA 45c)
                links = [Path(root, d) for root, dirs, _files in os.walk(path) for d in dirs
                         if Path(root, d).is_symlink() and not any(part.startswith(".")
                                                                   for part in Path(root, d).relative_to(path).parts)]
                shown = ", ".join(str(p) for p in links[:3]) + (f" and {len(links) - 3} more" if len(links) > 3 else "")
                _warn(f"{path}: a link to a folder is not followed ({shown}); give the folder itself to label its "
                      "notes")
            if "mh-nlp report" in left:
                _warn(f"{path}: a Markdown overview or evaluation that mh-nlp wrote is not a note and is not labelled; "
                      "give it by name to label it")
            if "earlier mh-nlp output" in left:
                _warn(f"{path}: a table with the columns of mh-nlp label's output is taken for an earlier output and "
                      "not labelled again (its statements would count twice); give it by name to label it")
        if not found and not unreadable:  # kept: reported as an input that failed (exit 1 alone, 3 beside good ones)
            out.append(path)
            continue
        if not quiet and found:
            click.echo(f"mh-nlp: {path}: {len(found)} file{'s' if len(found) != 1 else ''}", err=True)
        out += found + unreadable  # a subfolder that cannot be read fails as an input: its notes are missing
    return tuple(out)


class _Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP, handled like Ctrl-C (no output, no temporary file), exit status 128 + signal."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


_RECEIVED: list[int] = []  # the signals _signals_as_interrupt turned into _Terminated during the current run


def _check_signals() -> None:
    """Raise :class:`_Terminated` for a signal received during the run whose exception was swallowed: a handler
    that runs inside a callback Python ignores exceptions of (``__del__``, logging's at-fork lock release when a
    worker is forked) cannot stop the run itself, so the run asks here, before each row and before it commits."""
    if _RECEIVED:
        raise _Terminated(_RECEIVED[-1])


_IGNORED: dict[int, Any] = {}  # the handlers _ignore_signals replaced, for _restore_signals


def _ignore_signals() -> None:
    """Once the output is being put in place: Ctrl-C, SIGTERM and SIGHUP are ignored until the command ends, so that
    an interrupt never reports "no output written" over an output that was written (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is not None and signum not in _IGNORED:
            _IGNORED[signum] = signal.signal(signum, signal.SIG_IGN)


def _restore_signals() -> None:
    """Undo :func:`_ignore_signals` (before :func:`_signals_as_interrupt` restores its own)."""
    for signum, handler in _IGNORED.items():
        signal.signal(signum, handler)
    _IGNORED.clear()


@contextlib.contextmanager
def _signals_as_interrupt() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP (``timeout``, ``kill``, systemd, a closed terminal) into :class:`_Terminated`
    while the block runs (main thread only; the previous handlers are restored). A signal is also remembered for
    :func:`_check_signals`."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _RECEIVED.clear()

    def handler(signum: int, _frame: Any) -> None:
        _RECEIVED.append(signum)
        raise _Terminated(signum)

    previous_hook = threading.excepthook

    def thread_hook(args: Any) -> None:  # once terminating, a worker pool's manager thread may fail as its workers
        if not _RECEIVED:                # go: that is the expected end, not a traceback for the user
            previous_hook(args)

    old = {}
    for name in ("SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is not None:
            old[signum] = signal.signal(signum, handler)
    threading.excepthook = thread_hook
    try:
        yield
    finally:
        for signum, previous in old.items():
            signal.signal(signum, previous)
        if not _RECEIVED:  # terminating: the hook stays until the process ends, as the pool's threads may outlive this
            threading.excepthook = previous_hook


def _check_note_column(name: str, fields_of: dict[Path, list[str]], dropped: list[str]) -> None:
    """UserError unless every table input has the column ``name`` (not its text column, not dropped);
    ``fields_of``: each input's carried columns (:func:`extra_fields`)."""
    if name.lower() in {c.lower() for c in dropped}:
        raise UserError(f"--note-column {name!r} is left out by --drop-columns: keep it to tell the notes apart")
    for path, fields in fields_of.items():
        if path.suffix.lower() not in TABLE_SUFFIXES:
            continue  # a text, document or transcript is one note anyway
        if name not in fields:
            raise UserError(f"{path}: no column {name!r} for --note-column (columns besides the text: "
                            f"{', '.join(fields) or 'none'})")


def _unused_options(inputs: list[Path], column: str | None, sheets: tuple[str, ...], header_row: int | None,
                    note_column: str | None = None) -> None:
    """Say when an option for tables applies to none of the inputs (``--sheet`` on a .csv), instead of ignoring it
    without a word."""
    suffixes = {reads_as(p.suffix.lower()) for p in inputs}  # a .xlsm is a workbook
    for given, option, applies in ((sheets, "--sheet", {".xlsx"}), (header_row, "--header-row", {".csv", ".xlsx"}),
                                   (column, "--column", {".csv", ".xlsx", ".jsonl"}),
                                   (note_column, "--note-column", {".csv", ".xlsx", ".jsonl"})):
        if given and not suffixes & applies:
            _warn(f"{option} applies to {'/'.join(sorted(applies))} inputs only; none is given, so it is ignored")


def _label(inputs: tuple[Path, ...], output: Path, column: str | None, sheets: tuple[str, ...],
          header_row: int | None, split: str, keep_nonstatements: bool, delimiter: str | None, excel_nl: bool,
          pseudonymise: bool, name_finder: str, drop_columns: str, min_confidence: float | None,
          summary_path: Path | None, force: bool, quiet: bool, batch_size: int, workers: int | None,
          model: Path | None, scheduler: str | None, in_order: bool, ignore_headings: bool,
          note_column: str | None) -> None:
    from ..io.label import Summary, label_files
    from ..io.parallel import default_workers

    if in_order and scheduler is not None:
        raise UserError("--in-order reads each file as a whole in this process: it cannot be used with --scheduler")
    if note_column is not None and not in_order:
        raise UserError("--note-column says which rows are one note read in order: use it with --in-order")

    # 1. everything about the outputs is checked before any work
    try:
        check_output(output, inputs, force, OUTPUT_SUFFIXES)
        if summary_path is not None:
            try:
                check_output(summary_path, inputs, force, SUMMARY_SUFFIXES)
            except OutputError as exc:  # named as the summary: "a.csv: unsupported output type" read as -o's
                raise OutputError(f"--summary {exc}") from None
            if summary_path.resolve() == output.resolve():
                raise OutputError(f"{summary_path}: the summary cannot be the output file")
    except OutputError as exc:
        raise UserError(str(exc)) from None

    finder = None
    if name_finder != "rules":
        if not pseudonymise:
            raise UserError("--name-finder is used with --pseudonymise only")
        from ..io.privacy import NameFinderError, name_finder as make_finder

        try:
            finder = make_finder(name_finder)
        except NameFinderError as exc:
            raise UserError(str(exc)) from None
    csv_options: dict[str, Any] = {}
    if delimiter is not None or excel_nl:
        if output.suffix.lower() == ".jsonl":
            raise UserError(f"{output}: --delimiter and --excel-nl are for .csv outputs (a .jsonl output has no "
                            f"fields to separate)")
        if output.suffix.lower() == ".xlsx":  # nothing to do (a script may give them for every output): said
            _warn(f"{output}: --delimiter and --excel-nl are for .csv outputs, so they are ignored (an .xlsx has cells "
                  "and numbers of its own, which Excel shows in its own language)")
        if output.suffix.lower() == ".csv":
            csv_options = {"delimiter": delimiter or (";" if excel_nl else ","), "decimal_comma": excel_nl}
            if excel_nl and delimiter == ",":
                raise UserError("--excel-nl writes decimal commas: use it with ';' or tab, not ','")

    # 2. inputs that cannot be read at all are reported now
    summary = Summary(note_column=note_column)
    good: list[Path] = []
    seen: set[Path] = set()
    for path in inputs:
        key = path.resolve()
        if key in seen:
            _warn(f"{path}: given twice; labelled once")
            continue
        seen.add(key)
        if path.name.startswith("~$") and reads_as(path.suffix.lower()) in (".docx", ".pptx", ".xlsx"):  # notes/*.docx
            _warn(f"{path}: the owner file Office keeps beside an open document, not a document; skipped")
            continue
        try:
            if _is_dir(path):  # a folder with notes was replaced by them (_expand_folders)
                try:
                    os.scandir(path).close()
                except OSError as exc:
                    raise ReadError(f"a folder that cannot be read ({exc.strerror or exc})") from None
                raise ReadError(f"a folder without notes or transcripts ({SUFFIX_LIST})")
            check_input(path)
            good.append(path)
        except ReadError as exc:
            _error(f"{path}: {exc}")
            summary.start(str(path))
            summary.fail(str(path), str(exc))
    if not good:
        raise UserError("nothing to label: no readable input")
    _unused_options(good, column, sheets, header_row, note_column)

    progress = _Progress(enabled=not quiet and _stderr_is_tty(), batch_size=batch_size)

    def on_warning(source: str, message: str) -> None:
        progress.say(lambda: _warn(f"{source}: {message}"))

    from ..themes import embeddings

    cache_warning = embeddings.WARN
    embeddings.WARN = lambda message: progress.say(lambda: _warn(message))  # the cache's, with the line taken off

    def on_error(source: str, message: str) -> None:
        progress.say(lambda: _error(f"{source}: {message}"))

    writer = None
    client = None
    try:
        if scheduler is not None:  # a Dask cluster: the model is checked and sent, never loaded here
            if not os.environ.get("MH_NLP_DEBUG"):  # Dask's own log lines (this process, local workers) only on errors
                os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "critical")  # we report failures
            import json

            from ..io.cluster import ClusterError, connect, model_payload
            from ..themes.store import ModelError

            try:
                classifier: Any = model_payload(model)
                _warn_if_stale(model, json.loads(classifier.meta))
                client = connect(scheduler)
            except (ClusterError, ModelError) as exc:
                raise UserError(str(exc)) from None
            find_entities = None
        else:
            classifier = _load_classifier(model)
            find_entities = None if hasattr(classifier, "analyse") else _entity_finder()
            if in_order:
                _require_in_order(classifier)
        fields_of = {path: extra_fields(path, column, sheets or None, header_row) for path in good}  # read once
        fields: dict[str, None] = {f: None for names in fields_of.values() for f in names}
        dropped = [c.strip() for c in drop_columns.split(",") if c.strip()]
        unknown = [c for c in dropped if c.lower() not in {f.lower() for f in fields}]
        if unknown:
            _warn(f"--drop-columns: no input has a column {', '.join(map(repr, unknown))} "
                  f"(columns: {', '.join(fields) or 'none'})")
        if note_column is not None:
            _check_note_column(note_column, fields_of, dropped)
        fields = {f: None for f in fields if f.lower() not in {c.lower() for c in dropped}}
        writer = open_writer(output, list(fields), overwrite=force, **csv_options)
        index = {str(p): i for i, p in enumerate(good, start=1)}
        for row in label_files(good, classifier, column=column, split=split, batch_size=batch_size,
                               sheets=sheets or None, header_row=header_row,
                               keep_nonstatements=keep_nonstatements, pseudonymise=pseudonymise,
                               drop_columns=dropped, name_finder=finder,
                               min_confidence=min_confidence, entities=True, warn=on_warning,
                               workers=workers or default_workers(), find_entities=find_entities,
                               error=on_error, summary=summary, client=client, in_order=in_order,
                               headings=not ignore_headings, note_column=note_column,
                               progress=progress.partition if client is not None else None):
            _check_signals()
            writer.write(row.to_dict())
            progress.update(writer.rows, row.statement.source, index.get(row.statement.source, 0), len(good))
        progress.clear()
        if writer.rows == 0:
            writer.abort()
            raise UserError("nothing could be labelled; no output written")
        # the cluster is done with: closed before the output is put in place, so that a Ctrl-C while it closes
        # (which takes a few seconds) still means "no output written" and not an output written all the same
        _close_client(client)
        _check_signals()
        overview = summary.to_dict()
        staged = None
        if summary_path is not None:  # staged first: a summary that cannot be written leaves no output either,
            try:  # and an earlier summary is replaced only once the output is in place
                staged = StagedSummary(summary_path, overview, overwrite=force)
            except OSError as exc:
                raise OSError(exc.errno, exc.strerror, str(summary_path)) from None
        _ignore_signals()  # from here the output is (being) put in place: an interrupt must not say it was not
        try:
            writer.commit()
        except BaseException:
            if staged is not None:
                staged.abort()
            raise
        if staged is not None:
            try:
                staged.commit()
            except OSError as exc:
                raise UserError(f"{summary_path}: cannot write the overview ({exc.strerror or exc}); the labels are in "
                                f"{output}") from None
        if writer.cut_cells:
            _warn(f"{output}: {writer.cut_cells:,} cell{'s' if writer.cut_cells != 1 else ''} longer than Excel's "
                  "32,767 characters cut to that length; a .csv or .jsonl output keeps them whole")
    except KeyboardInterrupt as exc:
        progress.clear()
        if writer is not None:
            writer.abort()
        _close_client(client)
        if client is not None:
            from ..io.cluster import abandon

            abandon(client)
        if isinstance(exc, _Terminated):
            _error(f"terminated ({signal.Signals(exc.signum).name}); no output written")
            sys.exit(128 + exc.signum)
        _error("interrupted; no output written")
        sys.exit(EXIT_INTERRUPTED)
    except OutputError as exc:  # the output appeared meanwhile (another program): not overwritten
        progress.clear()
        if writer is not None:
            writer.abort()
        raise UserError(str(exc)) from None
    except MhNlpError as exc:  # a worker's model check, a lost scheduler, a damaged data file: one line, not a bug
        progress.clear()
        if writer is not None:
            writer.abort()
        raise UserError(f"{str(exc).splitlines()[0]}; no output written") from None
    except OSError as exc:
        progress.clear()
        if writer is not None:
            writer.abort()
        target = exc.filename or output
        if target and Path(str(target)).name.startswith(f".{Path(output).name}."):  # our own temporary file beside it
            target = output  # QA 44b: the message named the hidden temporary file, not the output the user gave
        raise UserError(f"{target}: cannot write ({exc.strerror or exc})") from None
    except (click.ClickException, SystemExit):
        if writer is not None:
            writer.abort()
        raise
    except Exception as exc:  # noqa: BLE001 - a bug must not leave a half-written file or a traceback
        progress.clear()
        if writer is not None:
            writer.abort()
        if os.environ.get("MH_NLP_DEBUG"):
            raise
        detail = str(exc).splitlines()[0] if str(exc) else ""
        raise UserError(f"internal error ({exc.__class__.__name__}: {detail}); no output written "
                        f"(set MH_NLP_DEBUG=1 for the traceback)") from None
    finally:
        progress.close()
        embeddings.WARN = cache_warning
        _close_client(client)

    if not quiet:
        if summary_path is None:
            click.echo(summary_text(overview))
        labelled = overview["total"]["statements"]
        click.echo(f"written: {output} ({writer.rows:,} row{'s' if writer.rows != 1 else ''}, {labelled:,} "
                   f"statement{'s' if labelled != 1 else ''} labelled)"
                   + (f", overview {summary_path}" if summary_path else ""))
    if summary.failed:
        _warn(f"{len(summary.failed)} of {overview['total']['inputs']} inputs could not be (fully) labelled; "
              f"exit status {EXIT_PARTIAL}")
        sys.exit(EXIT_PARTIAL)
