"""A meta or chatter line in classify's JSON has the keys of a statement's prediction (QA 48b D4), whatever fields a
prediction gains."""
from __future__ import annotations

from mh_nlp.themes.prediction import Candidate, Prediction, nonstatement_json, prediction_json

OPTIONAL = {"label_chapter", "read_alone"}  # present only when they apply


def test_a_line_that_is_no_statement_has_the_keys_of_a_prediction():
    p = Prediction(section="2.16", section_title="t", chapter=2, chapter_title="c", confidence=0.4,
                   chapter_confidence=0.7, top=(Candidate("2.16", "t", 0.4),))
    assert set(nonstatement_json("Ja.", "chatter")) == set(prediction_json("Er is te weinig opvang.", p, [])) - OPTIONAL


def test_a_similarity_just_below_the_off_subject_threshold_does_not_print_as_the_threshold():
    """QA 51a D6: "similarity 0.81, below 0.81" for 0.805; the CLI line and the review page print it with
    shown_similarity."""
    from mh_nlp.themes.prediction import OFF_SUBJECT_BELOW, shown_similarity

    assert OFF_SUBJECT_BELOW == 0.81
    assert shown_similarity(0.805) == "0.805" and shown_similarity(0.78) == "0.78"
    for x in (0.8049, 0.805, 0.809, 0.80999):
        assert float(shown_similarity(x)) < OFF_SUBJECT_BELOW, x


def test_a_stored_confidence_below_the_threshold_never_reads_as_it():
    """QA 52a D9: a label output's row had confidence 0.5 beside uncertain True (0.49996 rounded). A score under its
    threshold is cut at 4 decimals in every machine output, and the section's top score stays equal to it."""
    from mh_nlp.io.label import LabelRow
    from mh_nlp.io.readers import Statement
    from mh_nlp.themes.prediction import UNCERTAIN_BELOW, stored

    assert stored(0.49996, True) == 0.4999 and stored(0.49996) == 0.5 and stored(0.81234) == 0.8123
    p = Prediction(section="2.16", section_title="t", chapter=2, chapter_title="c", confidence=0.49996,
                   chapter_confidence=0.7, top=(Candidate("2.16", "t", 0.49996), Candidate("3.1", "u", 0.2)))
    assert p.uncertain and UNCERTAIN_BELOW == 0.5
    for out in (prediction_json("Er is te weinig opvang.", p, []),
                LabelRow(Statement("n.txt", 1, "Er is te weinig opvang."), p, uncertain=True).to_dict()):
        assert out["uncertain"] and out["confidence"] == 0.4999 < UNCERTAIN_BELOW
        assert out["top"][0]["score"] == out["confidence"]
