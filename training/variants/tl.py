"""Round 29, `tl`: the conditional logit's weights learnt on the section's log-likelihood plus its topic's (the log
of the probability mass of the sections sharing the true section's topic; 2.11 / 3.8 / 4.9 are one subject under three
stances), weight ``MH_NLP_TOPIC_WEIGHT`` (0.5 by default). The chapter's term of rounds 10-11 (chl.py) with the topic
in place of the chapter."""
import os
import runpy
from pathlib import Path

chl = runpy.run_path(str(Path(__file__).resolve().with_name("chl.py")), init_globals={"PATCH": False})
chl["patch"]("section_topic_", float(os.environ.get("MH_NLP_TOPIC_WEIGHT", "0.5")))
