"""Labelling a Dask DataFrame column: the recipe for data that already lives in Parquet.

``ddf["text"].map_partitions(label_partition, model_path, meta=label_meta())`` labels each pandas partition on
the workers with the same rows ``mh-nlp label`` writes. Install with ``pip install 'mh-nlp[cluster]'``;
pandas and Dask are imported inside the functions only.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ..themes.store import ModelError, check_model, default_model_path
from .cluster import _LOCAL, _worker_name
from .label import label_statements
from .kinds import kind_of
from .readers import Statement
from .writers import flat_row, header

# ---------------------------------------------------------------- the Dask DataFrame recipe
LABEL_COLUMNS = ("section", "section_title", "chapter", "chapter_title", "confidence", "chapter_confidence",
                 "uncertain", "top1", "top1_title", "top1_score", "top2", "top2_title", "top2_score", "top3",
                 "top3_title", "top3_score", "entity_ids")
_FLOAT = {"confidence", "chapter_confidence", "top1_score", "top2_score", "top3_score"}


def label_meta() -> "pandas.DataFrame":
    """An empty DataFrame with the columns and dtypes :func:`label_partition` returns (Dask's ``meta``)."""
    import pandas as pd

    return pd.DataFrame({c: pd.Series(dtype=_dtype(c)) for c in LABEL_COLUMNS})


def _dtype(column: str) -> str:
    if column in _FLOAT:
        return "float64"
    if column == "uncertain":
        return "boolean"
    if column == "chapter":
        return "Int64"
    return "object"


def _classifier_from_path(model_path: str | Path | None, expected_sha256: str | None):
    """The classifier at ``model_path`` (checked against its .json by load_classifier), once per thread."""
    path = Path(model_path or default_model_path())
    meta = check_model(path)
    sha = str(meta.get("model_sha256"))
    if expected_sha256 is not None and sha != expected_sha256:
        raise ModelError(f"{path} on worker {_worker_name()} is another model (SHA-256 {sha[:12]}..., expected "
                         f"{expected_sha256[:12]}...)")
    cache: dict[str, Any] = getattr(_LOCAL, "path_models", None) or {}
    _LOCAL.path_models = cache
    key = f"{path.resolve()}:{sha}"
    if key not in cache:
        from ..themes.classifier import load_classifier

        cache.clear()
        cache[key] = load_classifier(path)
    return cache[key]


def label_partition(texts: "pandas.Series", model_path: str | Path | None = None, *, entities: bool = False,
                    min_confidence: float | None = None, expected_sha256: str | None = None) -> "pandas.DataFrame":
    """Label one pandas partition of statements: a DataFrame with :data:`LABEL_COLUMNS`, the same index.

    For ``ddf["text"].map_partitions(label_partition, model_path, meta=label_meta())``: the model is read
    from ``model_path`` (a path every worker can see; default ``models/theme-model.npz``), checked against
    its ``.json`` and loaded once per worker thread; ``expected_sha256`` (the ``model_sha256`` of the
    client's ``.json``) makes a worker that sees another model fail. A value that is neither text nor missing is a
    TypeError naming its place. Missing or blank texts get empty
    labels, and so do meta and chatter lines (``Datum: …``, ``Goedemorgen allemaal.``; see
    :mod:`mh_nlp.io.kinds`), as in ``mh-nlp label``. The values are those of ``mh-nlp label`` (confidences rounded to 4 decimals, ``entity_ids``
    joined by ``;``, only with ``entities=True``)."""
    import pandas as pd

    def missing(v) -> bool:
        return v is None or v is pd.NA or (isinstance(v, float) and v != v)

    raw = texts.tolist()
    odd = next((i for i, v in enumerate(raw) if not (missing(v) or isinstance(v, str))), None)
    if odd is not None:  # QA 43b: a number got empty labels without a word, like a missing text
        raise TypeError(f"text {odd + 1} of the partition is {type(raw[odd]).__name__}, not a string (a missing "
                        "text may be None or NaN)")
    values = ["" if missing(v) else v for v in raw]
    keep = [i for i, v in enumerate(values) if v.strip()]
    rows: list[dict[str, Any]] = [{} for _ in values]
    if keep:
        clf = _classifier_from_path(model_path, expected_sha256)
        cols = header(())
        start = cols.index("section")
        names = cols[start:start + len(LABEL_COLUMNS)]
        statements = [Statement("", i, values[i].strip(), {}, kind_of(values[i].strip())) for i in keep]
        for row in label_statements(statements, clf, min_confidence=min_confidence, entities=entities):
            if row.prediction is None:  # a meta or chatter line: empty labels, as a blank text
                continue
            cells = flat_row(row.to_dict(), [])[start:start + len(LABEL_COLUMNS)]
            rows[row.statement.position] = dict(zip(names, cells))
    frame = pd.DataFrame(rows, index=texts.index, columns=list(LABEL_COLUMNS))
    frame["chapter"] = frame["chapter"].replace("", None)
    for c in ("section", "section_title", "chapter_title", "top1", "top1_title", "top2", "top2_title", "top3",
              "top3_title", "entity_ids"):
        frame[c] = frame[c].replace("", None)
    return frame.astype({c: _dtype(c) for c in LABEL_COLUMNS})
