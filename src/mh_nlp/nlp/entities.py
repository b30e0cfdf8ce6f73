"""Find organisations, forms of exploitation and legal references, at offsets of the text as given."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable, Iterator

from ..exceptions import check_count
from .spacy_import import import_spacy

import_spacy()  # without spaCy's command line: a faster start
from spacy.tokens import Doc  # noqa: E402

from .metrics import PRF, span_scores
from .normalize import map_span
from ..paths import data_file

__all__ = ["find_entities", "find_entities_batch", "doc_entities", "load_gold", "evaluate_gold", "LABELS"]

LABELS = ("ORG", "UITBUITING", "WET")


def doc_entities(doc: Doc) -> list[dict[str, Any]]:
    """The entities of a pipeline ``Doc``, with offsets mapped back to the raw text."""
    raw = doc._.raw_text
    offsets = doc._.raw_offsets
    out = []
    for ent in doc.ents:
        if offsets is not None and raw is not None:
            start, end = map_span(offsets, ent.start_char, ent.end_char, len(raw))
            text = raw[start:end]
        else:
            start, end, text = ent.start_char, ent.end_char, ent.text
        out.append({"text": text, "label": ent.label_, "id": ent.ent_id_ or None, "start": start, "end": end})
    return out


PIECE_CHARS = 100_000  # a longer text is read in pieces (spaCy refuses a text over nlp.max_length, 1,000,000)


def find_entities(text: str, nlp: Any = None) -> list[dict[str, Any]]:
    """Entities in ``text`` as dicts ``text, label, id, start, end`` (offsets into ``text`` as given). A text of more
    than :data:`PIECE_CHARS` characters (a long transcript piped in) is read in pieces cut at line ends (else at a
    space), the offsets still into the whole text."""
    if not isinstance(text, str):
        raise TypeError(f"find_entities takes one text (a string), not {type(text).__name__}; for many texts use "
                        f"find_entities_batch")
    if nlp is None:
        from .pipeline import load_pipeline

        nlp = load_pipeline()
    if len(text) <= PIECE_CHARS:
        return doc_entities(nlp(text))
    out: list[dict[str, Any]] = []
    covered = 0  # where the last entity kept ends: a piece that starts inside it must not find its tail again
    pieces = list(_pieces(text))
    for (a, b, keep), ents in zip(pieces, find_entities_batch((text[a:b] for a, b, _ in pieces), nlp=nlp)):
        for e in ents:
            start, end = e["start"] + a, e["end"] + a
            if start < keep and start >= covered:
                out.append({**e, "start": start, "end": end})
                covered = end
    return out


OVERLAP_CHARS = 1_000  # read past a piece's end, so that a name across the cut is read whole


def _pieces(text: str) -> Iterator[tuple[int, int, int]]:
    """(start, end, keep) of pieces of about :data:`PIECE_CHARS`, cut after a line end, else after a space, each read
    :data:`OVERLAP_CHARS` further than it keeps: an entity is taken from the piece it starts in (before ``keep``)."""
    a = 0
    while a < len(text):
        keep = min(a + PIECE_CHARS, len(text))
        if keep < len(text):
            cut = text.rfind("\n", a, keep)
            if cut <= a:
                cut = max(text.rfind(" ", a, keep), text.rfind("\t", a, keep))
            if cut > a:
                keep = cut + 1
        yield a, min(keep + OVERLAP_CHARS, len(text)), keep
        a = keep


def find_entities_batch(texts: Iterable[str], batch_size: int = 256, n_process: int = 1,
                        nlp: Any = None) -> Iterator[list[dict[str, Any]]]:
    """:func:`find_entities` for many texts through ``nlp.pipe`` (in input order)."""
    if isinstance(texts, (str, bytes)):  # it would be read as one text per letter
        raise TypeError("give a list of texts, not one text: find_entities_batch([text]) or find_entities(text)")
    check_count("batch_size", batch_size)
    check_count("n_process", n_process)
    if nlp is None:
        from .pipeline import load_pipeline

        nlp = load_pipeline()
    if texts is None or not hasattr(texts, "__iter__"):
        raise TypeError(f"give a list of texts, not {type(texts).__name__}")

    def checked() -> Iterator[str]:  # lazily, as nlp.pipe reads them: spaCy's E1041 named no text (QA 43b)
        for i, text in enumerate(texts, 1):
            if not isinstance(text, str):
                raise TypeError(f"text {i} is {type(text).__name__}, not a string")
            yield text

    for doc in nlp.pipe(checked(), batch_size=batch_size, n_process=n_process):
        yield doc_entities(doc)


def load_gold(path: str | Path | None = None) -> list[dict[str, Any]]:
    """The hand-annotated gold sentences (``data/entities/gold.jsonl``), spans checked against the text."""
    p = Path(path) if path is not None else data_file("entities", "gold.jsonl")
    records = []
    try:
        content = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{p}: not UTF-8 (byte {exc.start})") from None
    for lineno, line in enumerate(content.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except (json.JSONDecodeError, RecursionError):
            raise ValueError(f"{p}:{lineno}: not a JSON object") from None
        if not (isinstance(rec, dict) and isinstance(rec.get("text"), str) and isinstance(rec.get("spans"), list)):
            raise ValueError(f"{p}:{lineno}: expected {{\"text\": \"...\", \"spans\": [...]}}")
        for sp in rec["spans"]:
            if not (isinstance(sp, dict) and all(isinstance(sp.get(k), int) and not isinstance(sp.get(k), bool)
                                                 for k in ("start", "end"))
                    and isinstance(sp.get("label"), str) and isinstance(sp.get("text"), str)):
                raise ValueError(f"{p}:{lineno}: a span must be {{\"start\": int, \"end\": int, \"label\": \"...\", "
                                 f"\"text\": \"...\"}}, not {str(sp)[:60]}")
            if not 0 <= sp["start"] < sp["end"] <= len(rec["text"]) or rec["text"][sp["start"]:sp["end"]] != sp["text"]:
                raise ValueError(f"{p}:{lineno}: span {sp} does not match the text")
        if len({(sp["start"], sp["end"], sp["label"]) for sp in rec["spans"]}) != len(rec["spans"]):
            raise ValueError(f"{p}:{lineno}: the same span twice")
        records.append(rec)
    if not records:
        raise ValueError(f"{p}: no gold sentences")
    return records


def evaluate_gold(nlp: Any = None, path: str | Path | None = None, with_ids: bool = False) -> dict[str, Any]:
    """Score the pipeline on the gold sample: P/R/F1 per label (exact span and label; ``with_ids``: id too)."""
    gold = load_gold(path)
    preds = list(find_entities_batch([r["text"] for r in gold], nlp=nlp))

    def key(sp: dict[str, Any]) -> tuple[int, int, str]:
        return sp["start"], sp["end"], f"{sp['label']}:{sp.get('id')}" if with_ids else sp["label"]

    g = [[key(s) for s in r["spans"]] for r in gold]
    p = [[key(s) for s in doc] for doc in preds]
    scores: dict[str, PRF] = span_scores(g, p)
    if with_ids:  # fold "ORG:nla" back into per-label counts
        merged: dict[str, list[int]] = {}
        for name, s in scores.items():
            lab = name.split(":")[0]
            acc = merged.setdefault(lab, [0, 0, 0])
            if name != "ALL":
                acc[0] += s.tp; acc[1] += s.fp; acc[2] += s.fn
        merged["ALL"] = [scores["ALL"].tp, scores["ALL"].fp, scores["ALL"].fn]
        scores = {k: PRF(*v) for k, v in merged.items()}
    errors = []
    for rec, gs, ps in zip(gold, g, p):
        missed, spurious = set(gs) - set(ps), set(ps) - set(gs)
        if missed or spurious:
            errors.append({"text": rec["text"], "missed": sorted(missed), "spurious": sorted(spurious)})
    return {"sentences": len(gold), "spans": sum(len(x) for x in g),
            "scores": {k: v.as_dict() for k, v in scores.items()}, "errors": errors}
