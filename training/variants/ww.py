"""Round 37b (training/variants/RULE.md): every written statement's weight set to MH_NLP_WRITTEN_WEIGHT (default
4658 / 6720, the weight at which the written set with its third batch weighs as much in all as the first two did).
Nothing else changes."""
import functools
import os

from mh_nlp.themes.examples import ExampleScores

WEIGHT = float(os.environ.get("MH_NLP_WRITTEN_WEIGHT", 4658 / 6720))
_init = ExampleScores.__init__


@functools.wraps(_init)
def __init__(self, *args, **kwargs):
    kwargs["written_weight"] = WEIGHT
    _init(self, *args, **kwargs)


ExampleScores.__init__ = __init__
