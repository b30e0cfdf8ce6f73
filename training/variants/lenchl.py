"""Round 23, `lenchl`: the two variants that lost nothing and fell short of the rule's +0.005 only a little, together:
round 22's length-dependent temperature (``lentemp.py``) and round 10/11's chapter term in the conditional logit's
loss (``chl.py``, weight ``MH_NLP_CHAPTER_WEIGHT``, 0.5 here unless set). They change different steps (the weights'
loss; the temperature fitted after it), so each file's patch is applied as it is. Nothing else changes."""
import os
import runpy
from pathlib import Path

os.environ.setdefault("MH_NLP_CHAPTER_WEIGHT", "0.5")
HERE = Path(__file__).resolve().parent
runpy.run_path(str(HERE / "chl.py"))
runpy.run_path(str(HERE / "lentemp.py"))
