"""The entity rules keep their measured quality on the hand-annotated gold sentences."""
from __future__ import annotations

from mh_nlp.nlp.entities import evaluate_gold, load_gold
from mh_nlp.nlp.pipeline import load_pipeline

# Measured on the gold (235 sentences, 162 spans): ORG F1 0.994, UITBUITING 1.000, WET 1.000.
FLOORS = {"ORG": 0.98, "UITBUITING": 0.98, "WET": 0.95, "ALL": 0.98}


def test_gold_is_large_enough_and_has_hard_negatives() -> None:
    gold = load_gold()
    assert len(gold) >= 150
    texts = [g["text"] for g in gold if not g["spans"]]
    assert len(texts) >= 50
    lower = " ".join(texts).lower()
    for trap in ("om ", "veilig", "politiek", "gemeente"):
        assert trap in lower, trap


def test_f1_per_label_stays_above_the_floor() -> None:
    res = evaluate_gold(load_pipeline("blank"))
    for label, floor in FLOORS.items():
        assert res["scores"][label]["f1"] >= floor, (label, res["scores"][label], res["errors"])


def test_ids_are_right_too() -> None:
    res = evaluate_gold(load_pipeline("blank"), with_ids=True)
    assert res["scores"]["ORG"]["f1"] >= FLOORS["ORG"]
