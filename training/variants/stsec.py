"""Round 56, `stsec`: a written *stance* statement (data/synthetic/stance.jsonl: a subject of a topic written in one
chapter's stance) whose topic has exactly one section in its chapter (1,107 of 2,273; e.g. topic `gegevensdeling`
in chapter 3 is 3.8) becomes a written example of that section too — in the section ridge, the similarities and
the keyword vectoriser's documents, at the written statements' weight — beside its place in the topic and chapter
ridges. The others (no section, or two or three of the topic in that chapter) stay stance statements only. The four
stances of one subject then teach the sections of a topic apart. Everything else stays as it is."""
import numpy as np

from mh_nlp.corpus.records import load_taxonomy
from mh_nlp.themes import examples as ex

_fit = ex.ExampleRanker.fit


def fit(self, X, y, kinds=None, groups=None, accepted=None, sources=None, stance=None):
    if stance is not None and len(stance[0]):
        tax = load_taxonomy(self.taxonomy_path)
        where: dict = {}
        for s, v in tax.sections.items():
            if not v.title.startswith("Onbekend"):
                where.setdefault((v.topic or s, v.chapter), []).append(s)
        one = [(x, where[(t, c)][0]) for x, t, c in zip(*stance) if len(where.get((t, c), ())) == 1]
        n = len(X)
        X = list(X) + [x for x, _ in one]
        y = list(y) + [s for _, s in one]
        kinds = list(kinds if kinds is not None else ["quote"] * n) + ["written"] * len(one)
        groups = list(groups if groups is not None else range(n)) + ["written"] * len(one)
        accepted = (list(accepted) if accepted is not None else [[s] for s in y[:n]]) + [[s] for _, s in one]
        sources = None if sources is None else list(sources) + [{"id": "", "page": None}] * len(one)
    return _fit(self, X, y, kinds=kinds, groups=groups, accepted=accepted, sources=sources, stance=stance)


ex.ExampleRanker.fit = fit
