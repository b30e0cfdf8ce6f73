"""Where none of the nearest anthology quotes shown is of the section given, the prediction names that section's own
nearest quote (QA 48b D9: "De samenwerking met de NLA gaat goed." got 3.9 with three quotes of 3.5, 4.12 and 4.2)."""
from __future__ import annotations

import json

import numpy as np
from click.testing import CliRunner

from mh_nlp.cli import main
from mh_nlp.themes.prediction import Prediction

TEXTS = ["De samenwerking met de NLA gaat goed.", "De samenwerking met de NLA gaat niet goed.",
         "Er is te weinig opvang voor mannen.", "Signalering door gemeenten moet verbeterd worden.",
         "Slachtoffers moeten beter beschermd worden.", "De zorgcoördinatoren zijn overbelast.",
         "Het aantal meldingen van seksuele uitbuiting stijgt.", "Iedere regio moet een zorgcoördinator krijgen.",
         "Loverboys werven meisjes via sociale media.", "Er is te weinig capaciteit bij de AVIM."]


def test_the_section_quote_is_the_sections_nearest_where_none_shown_is_of_it(trained):
    _, _, clf = trained
    model = clf.model
    preds = clf.predict_details(TEXTS)
    E = model._embed(clf._prepare(TEXTS))
    sections = np.array([e["section"] for e in model.evidence_])
    ev_E = np.asarray(model.examples_E_, dtype=np.float64)[model.evidence_rows_]
    named = 0
    for p, e in zip(preds, E):
        if any(q.section == p.section for q in p.similar_quotes) or p.section not in sections:
            assert p.section_quote is None
            continue
        named += 1
        q = p.section_quote
        assert q is not None and q.section == p.section
        assert abs(q.similarity - (ev_E[sections == p.section] @ e).max()) < 1e-4  # its section's nearest
        assert q.similarity <= p.similar_quotes[-1].similarity + 1e-4  # and not among the nearest shown
        assert Prediction.from_dict(p.to_dict()) == p  # kept as it is where predictions are stored (the screen)
    assert named >= 1


def test_classify_json_carries_it(trained):
    path, _, clf = trained
    res = CliRunner().invoke(main, ["classify", "--json", "--model", str(path), *TEXTS])
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.stdout.splitlines() if line.startswith("{")]
    for row, p in zip(rows, clf.predict_details(TEXTS)):
        want = None if p.section_quote is None else p.section_quote.id
        assert (row["section_quote"] or {}).get("id") == want


UNQUOTED = "Er moet meer informatie gedeeld worden tussen politie en gemeenten."


def test_a_section_without_any_quote_is_said_to_be_known_from_written_examples_only(trained):
    """QA 48c (48b D9, partly): for a section without an anthology quote (3.8) the three quotes shown are of other
    sections and nothing said why; the human output now says it, and only then."""
    from mh_nlp.corpus.records import load_quotes, quoted_sections, training_quotes

    path, _, clf = trained
    assert quoted_sections() == {q.section for q in training_quotes(load_quotes())} and "3.8" not in quoted_sections()
    texts = [UNQUOTED, *TEXTS]
    res = CliRunner().invoke(main, ["classify", "--model", str(path), *texts])
    assert res.exit_code == 0, res.output
    blocks = res.stdout.strip().split("\n\n")
    preds = clf.predict_details(texts)
    assert preds[0].section not in quoted_sections()  # the case: a section the anthology has no quote of
    said = 0
    for block, p in zip(blocks, preds):
        line = (f"none of them is of {p.section}, which has no anthology quote: the model knows it from the team's "
                "written examples only")
        unquoted = p.section not in quoted_sections() and all(q.section != p.section for q in p.similar_quotes)
        assert (line in block) == unquoted, block
        said += unquoted
    assert said >= 1
