"""Round 51, `lam10` / `lam100`: the ridge classifiers' penalty (``ridge_lambda``, 30 since the model's first
version and never varied under the choice rule) set to ``MH_LAMBDA`` (10 or 100). One solve fits the section, topic
and chapter ridges; the conditional logit gives the section ridge weight 0 today, the topic and chapter ridges 0.39 and
0.92. Everything else stays as it is."""
import os

from mh_nlp.themes import examples as ex

LAMBDA = float(os.environ.get("MH_LAMBDA", "30"))
_init = ex.ExampleScores.__init__


def init(self, *args, **kwargs):
    _init(self, *args, **kwargs)
    self.ridge_lambda = LAMBDA


ex.ExampleScores.__init__ = init
