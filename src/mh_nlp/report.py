"""``mh-nlp evaluate``: run every candidate through grouped CV and write reports/evaluation.{md,json,png}."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import numpy as np

from .classify import ThemeModelCV, section_pseudo_docs
from .corpus import load_quotes, load_taxonomy, section_key, training_quotes
from .evaluate import (DEFAULT_CANDIDATE, DEFAULT_FOLDS, LOSO_CANDIDATES, candidates, confusion, cross_validate,
                       leave_one_section_out, prepare, resolve_gold, write_json)


def run_evaluation(out_dir: Path, folds: int = DEFAULT_FOLDS, only: list[str] | None = None,
                   loso: bool = True, progress: Callable[[str], None] | None = None) -> dict:
    tax = load_taxonomy()
    quotes = training_quotes(load_quotes())
    if progress:
        progress(f"preparing {len(quotes)} quotes with the spaCy pipeline")
    prepared = prepare([q.text for q in quotes])
    titles = {d: prepare(section_pseudo_docs(tax, descriptions=d)[0]) for d in (False, True)}
    results = []
    for cand in candidates():
        if only and cand.name not in only:
            continue
        results.append(cross_validate(cand, quotes, prepared, tax, folds, titles[cand.descriptions], progress))
    def best(rs):
        return max(rs, key=lambda r: (r.section.accuracy, r.section.top3 or 0.0, r.chapter.accuracy))

    winner = best(results)
    extra = {c.name: c.extra for c in candidates()}
    plain = [r for r in results if not extra.get(r.name)]
    pages_of: dict[str, set] = {}
    for q in quotes:
        pages_of.setdefault(q.section, set()).add(q.page)
    seen_elsewhere = sum(any(pages_of.get(s, set()) - {q.page} for s in q.accepted_sections) for q in quotes)
    out = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "protocol": {"cv": f"GroupKFold({folds}) by page", "quotes": len(quotes),
                     "pages": len({q.page for q in quotes}), "pull_quotes": "excluded",
                     "alt_sections": "count as correct",
                     "model_selection": "inside the training folds (inner GroupKFold(3) by page)",
                     "quotes_whose_section_occurs_on_another_page": seen_elsewhere},
        "candidates": {r.name: {"description": r.description, "section": r.section.as_dict(),
                                "chapter": r.chapter.as_dict(), "seconds": round(r.seconds, 1),
                                "chosen_params_per_fold": r.chosen_params} for r in results},
        "winner": winner.name,
        "winner_without_extras": best(plain).name if plain else None,
        "default_candidate": DEFAULT_CANDIDATE,
        "extras": {r.name: extra[r.name] for r in results if extra.get(r.name)},
    }
    if loso:
        t_labels = section_pseudo_docs(tax)[1]
        out["leave_one_section_out"] = {}
        for cand in candidates():
            if cand.name not in LOSO_CANDIDATES or (only and cand.name not in only):
                continue
            if progress:
                progress(f"{cand.name}: choosing parameters on all quotes for leave-one-section-out")
            full = cand.make().fit(prepared + titles[cand.descriptions], [q.section for q in quotes] + t_labels,
                                   groups=np.array([q.page for q in quotes] + list(-1 - np.arange(len(t_labels)))),
                                   scored=np.array([True] * len(quotes) + [False] * len(t_labels)))
            out["leave_one_section_out"][cand.name] = leave_one_section_out(
                quotes, prepared, tax, titles[cand.descriptions], params=full.best_params_,
                model_kwargs={"e5": full.e5, "descriptions": full.descriptions}, progress=progress)
    # confusion matrices of the winner
    gold = resolve_gold(quotes, winner.predictions)
    labels = sorted({*gold, *winner.predictions}, key=section_key)
    M = confusion(gold, winner.predictions, labels)
    ch_labels = [str(c) for c in sorted(tax.chapters)]
    ch_of = {s: str(sec.chapter) for s, sec in tax.sections.items()}
    CM = confusion([ch_of[g] for g in gold], [ch_of[p] for p in winner.predictions], ch_labels)
    out["confusion"] = {"sections": {"labels": labels, "matrix": M.tolist()},
                        "chapters": {"labels": ch_labels, "matrix": CM.tolist()}}
    out_dir.mkdir(parents=True, exist_ok=True)
    write_json(out_dir / "evaluation.json", out)
    _plot(out_dir / "confusion_sections.png", M, labels, f"{winner.name}: sections (grouped CV)")
    _plot(out_dir / "confusion_chapters.png", CM, ch_labels, f"{winner.name}: chapters (grouped CV)")
    (out_dir / "evaluation.md").write_text(markdown(out, tax), encoding="utf-8")
    return out


def _plot(path: Path, M: np.ndarray, labels: list[str], title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    size = max(5, 0.18 * len(labels) + 3)
    fig, ax = plt.subplots(figsize=(size, size))
    ax.imshow(M, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=90, fontsize=7 if len(labels) > 10 else 10)
    ax.set_yticks(range(len(labels)), labels, fontsize=7 if len(labels) > 10 else 10)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.set_title(title)
    if len(labels) <= 10:
        for i in range(len(labels)):
            for j in range(len(labels)):
                ax.text(j, i, str(M[i, j]), ha="center", va="center", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _pct(x) -> str:
    return "–" if x is None else f"{x:.3f}"


def markdown(ev: dict, tax) -> str:
    p = ev["protocol"]
    lines = ["# Evaluation of the theme classifier", "",
             f"Reproduce with `mh-nlp evaluate` (written {ev['date']}). Protocol: {p['cv']}, {p['quotes']} quotes "
             f"on {p['pages']} pages, pull quotes {p['pull_quotes']}, alt_sections {p['alt_sections']}, model selection "
             f"{p['model_selection']}.", "",
             f"Only {p['quotes_whose_section_occurs_on_another_page']} of the {p['quotes']} quotes have a section that "
             "also has quotes on another page: most sections survive on a single extracted page, so when a page is "
             "held out its section has no training quotes and must be reached through its title (zero-shot).", "",
             "## Candidates side by side", "",
             "| candidate | section acc | section macro-F1 | section top-3 | chapter acc | chapter macro-F1 | seconds |",
             "|---|---|---|---|---|---|---|"]
    for name, c in ev["candidates"].items():
        s, ch = c["section"], c["chapter"]
        mark = " **(winner)**" if name == ev["winner"] else ""
        if name == ev.get("winner_without_extras") and name != ev["winner"]:
            mark = " **(winner without extras)**"
        if ev.get("extras", {}).get(name):
            mark += f" (extra: {ev['extras'][name]})"
        lines.append(f"| {name}{mark} | {_pct(s['accuracy'])} | {_pct(s['macro_f1'])} | {_pct(s['top3_accuracy'])} | "
                     f"{_pct(ch['accuracy'])} | {_pct(ch['macro_f1'])} | {c['seconds']} |")
    lines += ["", "Candidates:", ""] + [f"- `{n}`: {c['description']}" for n, c in ev["candidates"].items()]
    win = ev["candidates"][ev["winner"]]
    if win["chosen_params_per_fold"]:
        lines += ["", f"Parameters chosen inside each training fold for `{ev['winner']}`: "
                  + "; ".join(", ".join(f"{k}={v}" for k, v in d.items()) for d in win["chosen_params_per_fold"])]
    lines += ["", f"## Per section ({ev['winner']})", "", "| section | title | precision | recall | F1 | support |",
              "|---|---|---|---|---|---|"]
    for s, r in sorted(win["section"]["per_label"].items(), key=lambda kv: section_key(kv[0])):
        lines.append(f"| {s} | {tax.sections[s].title} | {r['precision']:.2f} | {r['recall']:.2f} | {r['f1']:.2f} | "
                     f"{r['support']} |")
    lines += ["", f"## Per chapter ({ev['winner']})", "", "| chapter | title | precision | recall | F1 | support |",
              "|---|---|---|---|---|---|"]
    for c, r in sorted(win["chapter"]["per_label"].items()):
        lines.append(f"| {c} | {tax.chapters[int(c)].title} | {r['precision']:.2f} | {r['recall']:.2f} | "
                     f"{r['f1']:.2f} | {r['support']} |")
    cm = ev["confusion"]["chapters"]
    lines += ["", "## Chapter confusion matrix (rows gold, columns predicted)", "",
              "| gold \\ predicted | " + " | ".join(cm["labels"]) + " |", "|---" * (len(cm["labels"]) + 1) + "|"]
    for lab, row in zip(cm["labels"], cm["matrix"]):
        lines.append(f"| {lab} | " + " | ".join(str(v) for v in row) + " |")
    lines += ["", "Section confusion matrix: `confusion_sections.png` (and in `evaluation.json`); chapters: "
              "`confusion_chapters.png`."]
    loso = ev.get("leave_one_section_out") or {}
    if loso:
        first = next(iter(loso.values()))
        lines += ["", "## Leave one section out", "",
                  f"Each section with at least {first['min_quotes']} quotes is left out of training (its title, and "
                  "for the `_desc` candidates its keywords, stay); its quotes are then classified. Parameters are fixed "
                  "at those the inner CV chooses on all quotes. Over all such quotes:", "",
                  "| candidate | top-1 in the left-out section | in the top 3 | right chapter | parameters |",
                  "|---|---|---|---|---|"]
        for name, lo in loso.items():
            m = lo["micro"]
            lines.append(f"| {name} | {m['top1']:.3f} | {m['top3']:.3f} | {m['same_chapter']:.3f} | {lo['params']} |")
        names = list(loso)
        lines += ["", "Per section: top-3 (and right chapter) for each candidate.", "",
                  "| section | quotes | " + " | ".join(names) + " |", "|---|---|" + "---|" * len(names)]
        for s, r in first["sections"].items():
            cells = [f"{loso[n]['sections'][s]['top3']:.2f} ({loso[n]['sections'][s]['same_chapter']:.2f})"
                     for n in names]
            lines.append(f"| {s} | {r['quotes']} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
