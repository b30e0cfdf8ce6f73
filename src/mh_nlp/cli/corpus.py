"""``mh-nlp corpus``: the hand-labelled gold corpus (counts, coverage, quality gate)."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from .base import _guard, _load, main


@main.group()
def corpus() -> None:
    """The hand-labelled gold corpus of the anthology."""


@corpus.command("stats")
@click.option("--quotes", "quotes_path", type=click.Path(path_type=Path), help="Quotes file (default: data/quotes.jsonl).")
@click.option("--no-coverage", is_flag=True, help="Skip the per-page coverage check (faster).")
def corpus_stats(quotes_path: Path | None, no_coverage: bool) -> None:
    """Print quotes per chapter and section, and the coverage of every quote page."""
    from ..corpus.records import stats
    from ..corpus.trace import check_corpus

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
@click.option("--written/--no-written", "check_written", default=True, show_default=True,
              help="Also check the written training statements (data/synthetic/statements.jsonl).")
def corpus_check(quotes_path: Path | None, pages: tuple[int, ...], min_coverage: float, check_written: bool) -> None:
    """Run the quality gate: traceable, complete and consistent quotes; written training statements complete,
    and no copy or near-copy of a quote or an external test sentence. Exit 1 on any failure."""
    from ..corpus.records import consistency_errors
    from ..corpus.trace import check_corpus

    quotes, tax = _load(quotes_path)
    every_quote = quotes  # the written statements are compared with every quote, whatever --page says
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
    if check_written:
        failed |= _check_written(every_quote, tax)
    if failed:
        sys.exit(1)


def _check_written(quotes, tax) -> bool:
    """Check the written set; print what it finds; True on a failure."""
    from ..corpus.written import WrittenSetError, read_written, written_errors, written_path
    from ..themes.evaluate import load_external
    from ..themes.written import NEAR_COPY, near_copies

    try:
        written = read_written(tax)
    except WrittenSetError as exc:
        click.echo(f"written statements: {exc}")
        return True
    quote_texts = [q.text for q in quotes]
    external = [r["text"] for r in load_external(tax)]
    errors = written_errors(written, tax, quote_texts, external)
    near, dist = _guard(near_copies, written, quote_texts, external)
    for err in errors + near:
        click.echo(f"written statements: {err}")
    q = dist["quantiles"]
    click.echo(f"written statements: {len(written)} in {written_path()}; nearest-quote cosine median {q.get('0.5')}, "
               f"95th percentile {q.get('0.95')}, max {q.get('1.0')} (near-copy at >= {NEAR_COPY}); nearest external "
               f"{dist['max_external']} at most; {'ok' if not errors + near else 'FAILED'}")
    return bool(errors or near)
