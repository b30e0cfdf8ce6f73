"""Where the blind careful reader is right and the default model is not, on the new-pages protocol (an exploration,
no choice made on it; stop 55's look before rounds 53-57 of training/variants/RULE.md):

    python training/reader_gap.py

Prints how the model and the reader (``data/reference/readings.jsonl``, condition *blind*) agree on the 559 quotes
of new pages, how many of the quotes only the reader gets stand in another chapter in the model's answer, and the
accuracy of both on quotes whose section has a quote on the other pages against those whose section has none. The
model's answers are those of ``mh-nlp evaluate``'s folds (about 20 s with a warm embedding cache)."""
from __future__ import annotations

import json
from collections import Counter

import numpy as np


def main(argv: list[str] | None = None) -> int:
    import argparse

    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args(argv)
    from mh_nlp.corpus.records import load_taxonomy
    from mh_nlp.paths import data_dir
    from mh_nlp.themes.answer import chapter_then_section
    from mh_nlp.themes.evaluate import Examples, _fit_predict, prepare_corpus, protocol_splits

    tax = load_taxonomy()
    c = prepare_corpus(tax)
    model = Examples("default", "", tax, "e5")
    P = np.zeros((len(c.quotes), len(model.columns)))
    known = {}
    for train, test in protocol_splits(c.quotes)["new_pages"]:
        P[test] = _fit_predict(model, c, train, test)
        seen = {s for i in train for s in c.quotes[i].accepted_sections}
        known.update({int(i): any(s in seen for s in c.quotes[i].accepted_sections) for i in test})
    cols = np.array(model.columns)
    chapters = np.array([tax.sections[s].chapter for s in cols])
    answer = cols[chapter_then_section(P, chapters)[1]]
    reader = {}
    for line in (data_dir() / "reference" / "readings.jsonl").read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        if r["condition"] == "blind" and r.get("protocol") in (None, "new_pages"):
            reader[r["quote_id"]] = r["top3"][0]
    both, only_reader_wrong_chapter, by_known = Counter(), 0, {True: [], False: []}
    for i, q in enumerate(c.quotes):
        if q.id not in reader:
            continue
        m, r = answer[i] in q.accepted_sections, reader[q.id] in q.accepted_sections
        both[(m, r)] += 1
        if r and not m and tax.sections[answer[i]].chapter != q.chapter:
            only_reader_wrong_chapter += 1
        by_known[known[i]].append((m, r))
    print(f"quotes read by both: {sum(both.values())}; both right {both[(True, True)]}, model only "
          f"{both[(True, False)]}, reader only {both[(False, True)]}, neither {both[(False, False)]}")
    print(f"of the {both[(False, True)]} the reader only gets, {only_reader_wrong_chapter} are in another chapter in "
          "the model's answer")
    for k, rows in by_known.items():
        a = np.array(rows, dtype=float)
        print(f"section {'has' if k else 'has no'} quote on the other pages: {len(a)} quotes, model "
              f"{a[:, 0].mean():.3f}, reader {a[:, 1].mean():.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
