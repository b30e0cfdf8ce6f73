"""``mh-nlp info`` and ``mh-nlp entities``: the spaCy pipeline's commands (registered on import)."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from .base import UserError, _given_file, _json_out, _warn, argument_text, main

_BASE_HELP = "Base pipeline: 'blank', 'nl_core_news_sm' or a path (default: nl_core_news_sm when installed, else blank)."


def _pipeline(base: str | None):
    """Load the pipeline, turning a missing base or data file into a one-line error."""
    from ..paths import DataNotFound
    from ..nlp.pipeline import load_pipeline

    try:
        return load_pipeline(base)
    except (OSError, DataNotFound, ValueError) as exc:
        raise UserError(f"cannot load pipeline {base or 'default'!r}: {str(exc).splitlines()[0]}") from None


@main.command()
@click.option("--base", default=None, help=_BASE_HELP)
@click.option("--model", "model_path", type=click.Path(path_type=Path), help="Also describe this theme model "
              "(default: models/theme-model.npz when it exists).")
def info(base: str | None, model_path: Path | None) -> None:
    """Print the spaCy pipeline in use (base, components, versions, data files) and the theme model: what it
    learnt from, including an analyst's corrections."""
    from ..nlp.pipeline import pipeline_info
    from ..themes.classifier import classifier_from_state
    from ..themes.store import ModelError, default_model_path, load_arrays

    path = model_path or default_model_path()
    if model_path is not None or path.exists():
        try:
            arrays, state, meta = load_arrays(path)  # the file itself read as a model is, not only its metadata
        except ModelError as exc:
            raise UserError(str(exc)) from None
        try:  # the checks classify and serve make (QA 47a D6: info vouched for a model they refuse)
            classifier_from_state(path, arrays, state, meta)
            unusable = None
        except ModelError as exc:
            unusable = str(exc)
        meta = _as_the_model_has_it(path, arrays, state, meta)
        click.echo(f"theme model:   {path} ({meta.get('candidate')}, trained {meta.get('trained_at')})")
        click.echo(f"  learnt from: {meta.get('training_quotes')} anthology quotes, {meta.get('written_statements', 0)} "
                   f"written statements" + (f", {meta['stance_statements']} written stance statements (topic and "
                                            f"chapter only)" if meta.get("stance_statements") else "")
                   + (f", {meta['lexicon_terms']} written lexicon terms (keyword overlap only)"
                      if meta.get("lexicon_terms") else ""))
        n = meta.get("corrections") or 0
        if n:
            sha = meta.get("corrections_file_sha256")  # none for the review screen's trainings (QA 51b N8)
            click.echo(f"  corrections: {n} in sections {', '.join(meta.get('corrections_sections') or [])} from "
                       f"{meta.get('corrections_file')}" + (f" (SHA-256 {sha})" if sha else ""))
            now = _file_now(meta.get("corrections_file")) if sha else None
            if now is not None and now != sha:  # QA 55 #12: as `train --if-needed --add` would say
                click.echo(f"  that file has changed since (now SHA-256 {now}): `mh-nlp train --add "
                           f"{meta.get('corrections_file')} --model {path} --force` learns it as it is now"
                           if now else "  that file is no longer there")
            agreed = meta.get("confirmations") or 0
            if agreed:  # QA 51a D3
                click.echo(f"  of which {agreed} keep the section the model suggested: learnt as confirmations, like an "
                           "anthology quote")
            weight, floor = meta.get("correction_term") or (0, 1)
            if weight:
                click.echo(f"  closeness to a correction (cosine above {floor}) counts with weight {weight}")
        else:
            click.echo("  corrections: 0")
        stay = meta.get("sequence_stay")
        if stay is not None:
            click.echo(f"  in order (--in-order): the next statement keeps the section of the one before with "
                       f"probability {stay:.3f}")
            within = meta.get("sequence_within_chapter")
            if within is not None:
                click.echo(f"  in order, where the section changes it stays in the chapter with probability "
                           f"{within:.3f}")
        missing = _cannot_predict(arrays, state)
        from ..paths import shown_data_file

        if missing:  # QA 49a D1: an older model may hold a section it learnt no example of (its probability is 0)
            click.echo(f"  cannot predict: {', '.join(missing)} (no quote, written statement or correction of "
                       f"{'it' if len(missing) == 1 else 'them'} was learnt: write at least 40 statements each, "
                       f"{shown_data_file('synthetic', 'README.md')}, and train again)")
        from ..themes.store import data_changed, stale_data_message
        from .base import _damaged_data

        changed = data_changed(meta)  # the data files hashed once, for both
        stale = stale_data_message(path, meta, changed)
        if stale:  # QA 49a D4: a model out of date with the data files it was trained on
            click.echo(f"  out of date: {stale.removeprefix(f'{path}: ')}")
        damaged = _damaged_data(changed)
        _previous(path)
        if damaged:  # QA 49c N3: a changed data file that cannot be read is the data's fault, not the model's
            raise UserError(f"a data file is damaged: {next(iter(damaged.values()))}; `mh-nlp corpus check` says "
                            "what is wrong")
        if unusable is not None:  # the metadata it could read is shown above; the verdict is one line, exit 1
            raise UserError(f"{path}: unusable model, classify and serve refuse it: "
                            f"{unusable.removeprefix(f'{path}: ')}")

    nfo = pipeline_info(_pipeline(base))
    click.echo(f"base pipeline: {nfo['base']} (language {nfo['language']})")
    click.echo(f"tokenizer:     {nfo['tokenizer']}")
    click.echo("components:    " + ", ".join(f"{n} ({f})" for n, f in nfo["components"]))
    click.echo("versions:      " + ", ".join(f"{k} {v}" for k, v in nfo["versions"].items()))
    click.echo("entity patterns: " + ", ".join(f"{k} {v}" for k, v in sorted(nfo["patterns_per_label"].items())))
    click.echo("data files:")
    for f in nfo["data_files"]:
        click.echo(f"  {f}")


def _cannot_predict(arrays: dict, state: dict) -> list[str]:
    """The titled sections a model holds without a single example among what it learnt: it can never predict them
    (QA 49a D1; ``train`` refuses to make such a model now, an older file may have them)."""
    import numpy as np

    from ..corpus.records import load_taxonomy
    from ..corpus.written import without_examples
    from ..exceptions import MhNlpError

    classes, y = state.get("classes") if isinstance(state, dict) else None, arrays.get("examples_y_")
    if not isinstance(classes, list) or y is None:
        return []
    try:
        taught = {str(classes[int(j)]) for j in np.unique(np.asarray(y))}
        tax = load_taxonomy()
    except (IndexError, TypeError, ValueError, MhNlpError, OSError):
        return []
    held = {str(c) for c in classes}
    return [s for s in without_examples(tax, taught) if s in held]


def _previous(path: Path) -> None:
    """The model that ``train --force`` replaced at ``path`` and kept beside it (QA 47a D5), when there is one."""
    from ..themes.store import model_metadata_or_none, previous_path

    prev = previous_path(path)
    if not prev.exists():
        return
    meta = model_metadata_or_none(prev) or {}
    n = meta.get("corrections") or 0
    click.echo(f"  previous:    {prev} (the model the last `train --force` replaced; trained "
               f"{meta.get('trained_at', '?')}, {n} correction{'' if n == 1 else 's'}): give it as --model to use it, "
               f"or rename it to {path.name} (with its .json) to go back")


def _as_the_model_has_it(path: Path, arrays: dict, state: dict, meta: dict) -> dict:
    """``meta`` with what the model file itself holds in place of the metadata's copy (the figures ``info`` shows),
    and a warning for each that differs: the metadata's checksum covers the model file, not the rest of the
    metadata, which can be edited by hand ("corrections: 99") while classify uses the model as it is."""
    import numpy as np

    from ..themes.examples import KINDS
    from ..themes.train import ENCODERS

    own: dict = {}
    if isinstance(state, dict):
        keys = {"corrections": "n_corrections", "written_statements": "n_written", "stance_statements": "n_stance",
                "lexicon_terms": "n_lexicon",
                "sequence_stay": "sequence_stay", "sequence_within_chapter": "sequence_within_chapter",
                "correction_term": "correction_term"}
        own = {k: state[v] for k, v in keys.items() if v in state}
        encoder = (state.get("params") or {}).get("encoder") if isinstance(state.get("params"), dict) else None
        by_encoder = {e: c for c, e in ENCODERS.items()}
        if encoder in by_encoder:  # the candidate is the model's encoder: "examples_static" on an e5 model is edited
            own["candidate"] = by_encoder[encoder]
        kinds, y, classes = arrays.get("examples_kind_"), arrays.get("examples_y_"), state.get("classes")
        if kinds is not None and y is not None and isinstance(classes, list):
            try:
                own["training_quotes"] = int((np.asarray(kinds) == KINDS.index("quote")).sum())
                reviewed = np.isin(np.asarray(kinds), [KINDS.index("correction"), KINDS.index("confirmation")])
                corrected = np.unique(np.asarray(y)[reviewed])
                own["corrections_sections"] = [str(classes[int(j)]) for j in corrected]
                own["confirmations"] = int((np.asarray(kinds) == KINDS.index("confirmation")).sum())
            except (IndexError, TypeError, ValueError):
                pass
    for key, value in own.items():
        if key in meta and meta[key] != value and not (isinstance(value, (list, tuple)) and list(meta[key] or []) == list(value)):
            _warn(f"{path.with_suffix('.json').name} says {key} {meta[key]!r}, the model file itself {value!r}: the "
                  f"metadata was edited; the model's own is shown (and is what classify uses)")
    return {**meta, **own}


@main.group()
def entities() -> None:
    """Organisations, forms of exploitation and legal references in text."""


def _stdin_whole() -> str:
    """All of standard input as text, decoded as ``classify`` and ``label`` decode it (UTF-8; UTF-16/32 by a
    byte-order mark or zero bytes; else Windows-1252 with a warning), not in the console's encoding: offsets are
    into this text."""
    from ..io.readers import wide_encoding

    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # a text-only stdin (embedded use)
        return sys.stdin.read()
    data = stream.read()
    wide = wide_encoding(data)
    if wide:
        return data.decode(wide, errors="replace").lstrip("\ufeff")
    if b"\x00" in data:
        raise UserError("<stdin>: binary data (a NUL byte), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        _warn("<stdin>: not UTF-8; read as Windows-1252 (cp1252)")
        return data.decode("cp1252", errors="replace")


@entities.command("find")
@click.argument("text", required=False)
@click.option("--base", default=None, help=_BASE_HELP)
def entities_find(text: str | None, base: str | None) -> None:
    """Print the entities of TEXT (or of standard input) as JSON lines, offsets into the input."""
    from ..nlp.entities import find_entities

    if text is None:
        text = _stdin_whole()
    elif (name := _given_file(text)) is not None:  # "entities find notes.txt"
        raise UserError(f"{name} is a file, and entities find takes text: `mh-nlp entities find < \"{name}\"` reads "
                        "the file")
    text = argument_text(text)
    if not text.strip():  # as classify: a forgotten argument gets a hint, not a silent nothing
        raise UserError("no text given (pass the text as an argument or on standard input)")
    for ent in find_entities(text, nlp=_pipeline(base)):
        click.echo(_json_out(ent))


@entities.command("evaluate")
@click.option("--gold", "gold_path", type=click.Path(path_type=Path), help="Gold file (default: data/entities/gold.jsonl).")
@click.option("--base", default=None, help=_BASE_HELP)
@click.option("--ids", is_flag=True, help="Count a span as correct only when its id matches too.")
@click.option("--errors", "show_errors", is_flag=True, help="List the sentences with missed or spurious spans.")
@click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")
def entities_evaluate(gold_path: Path | None, base: str | None, ids: bool, show_errors: bool, as_json: bool) -> None:
    """Precision, recall and F1 per label on the hand-annotated gold sentences."""
    from ..nlp.entities import evaluate_gold
    from ..paths import DataNotFound

    if gold_path is not None and not gold_path.is_file():  # as every other missing file is said (QA 46a #6)
        raise UserError(f"{gold_path}: " + ("is a folder; give the gold file (.jsonl)" if gold_path.is_dir()
                                            else "no such file"))
    nlp = _pipeline(base)
    try:
        res = evaluate_gold(nlp, gold_path, with_ids=ids)
    except OSError as exc:
        raise UserError(f"{exc.filename or gold_path}: cannot read it ({exc.strerror or exc})") from None
    except (DataNotFound, ValueError, KeyError) as exc:
        raise UserError(f"cannot evaluate: {exc}") from None
    if as_json:
        click.echo(_json_out(res, indent=2))
        return
    click.echo(f"gold: {res['sentences']} sentences, {res['spans']} spans; exact span + label"
               + (" + id" if ids else ""))
    click.echo(f"{'label':<11} {'P':>6} {'R':>6} {'F1':>6} {'tp':>4} {'fp':>4} {'fn':>4}")
    for lab, s in res["scores"].items():
        click.echo(f"{lab:<11} {s['precision']:6.3f} {s['recall']:6.3f} {s['f1']:6.3f} {s['tp']:4d} {s['fp']:4d} {s['fn']:4d}")
    if show_errors:
        for e in res["errors"]:
            click.echo(f"- {e['text']}\n    missed {e['missed']} spurious {e['spurious']}")


def _file_now(name) -> str | None:
    """The SHA-256 of the file ``name`` now, "" when it is gone, None when it cannot be read (then nothing is said)."""
    from ..themes.store import sha256_file

    if not name:
        return None
    try:
        return sha256_file(Path(name))
    except FileNotFoundError:
        return ""
    except OSError:
        return None
