"""Probe (stop 51, no choice made on it): how many of the default model's answers on the anthology protocols go to the
titled sections that have *no* anthology quote at all (3.6, 3.7, 3.8, 3.10, 3.15, 4.1, 4.3, 4.8, 4.11: known from the
written statements only), where an anthology protocol can never count them right, against the share of real outside
sentences whose section is one of them.

    python training/quoteless_sections.py      # about 20 s with a warm embedding cache

Measured 2026-12-07 (stop 51): new pages 50 of 559 answers (0.089) go to those sections, known themes 97 of 537
(0.181); the accuracy on the other answers is 0.428 and 0.445. The development sentences have their section there in
30 of 205 (0.146), the external ones in 15 of 109 (0.138).
"""
from __future__ import annotations

import numpy as np

from mh_nlp.corpus.outside import read_outside
from mh_nlp.corpus.records import load_quotes, load_taxonomy
from mh_nlp.themes.answer import chapter_then_section
from mh_nlp.themes.evaluate import Examples, _fit_predict, prepare_corpus, protocol_splits


def main() -> int:
    tax = load_taxonomy()
    quoted = {q.section for q in load_quotes()}
    c = prepare_corpus(tax)
    splits = protocol_splits(c.quotes)
    for proto in ("new_pages", "known_themes"):
        model = Examples("default", "", tax, "e5")
        columns = np.array(model.columns)
        quoteless = {s for s in columns if s not in quoted and tax.section(s).title_source != "inferred"}  # titled
        P = np.zeros((len(c.quotes), len(columns)))
        tested: set[int] = set()
        for train, test in splits[proto]:
            P[test] = _fit_predict(model, c, train, test)
            tested |= set(test.tolist())
        t = np.array(sorted(tested))
        chapters = np.array([int(s.split(".")[0]) for s in columns])
        answers = columns[chapter_then_section(P[t], chapters)[1]]
        into = np.array([a in quoteless for a in answers])
        right = np.array([a in c.quotes[i].accepted_sections for a, i in zip(answers, t)])
        print(f"{proto}: {into.sum()} of {len(t)} answers ({into.mean():.3f}) in the {len(quoteless)} sections "
              f"without a quote ({', '.join(sorted(quoteless, key=lambda s: tuple(map(int, s.split('.')))))}); "
              f"accuracy on the other answers {right[~into].mean():.3f}")
    for which in ("development", "external"):
        rows = read_outside(tax, which)
        n = sum(r["section"] in quoteless for r in rows)
        print(f"{which}: {n} of {len(rows)} sentences ({n / len(rows):.3f}) have their section there")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
