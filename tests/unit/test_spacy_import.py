"""spaCy imported without its command line (mh_nlp.nlp.spacy_import): faster, and nothing of spaCy lost."""
from __future__ import annotations

import json
import subprocess
import sys

PROBE = r"""
import json, sys
import mh_nlp.nlp.pipeline, mh_nlp.nlp.entities, mh_nlp.nlp.lookups
out = {"cli_loaded": "spacy.cli" in sys.modules, "typer_loaded": "typer" in sys.modules}
import spacy
nlp = spacy.blank("nl")
out["tokens"] = [t.text for t in nlp("De NLA ziet meer.")]
out["info"] = spacy.info(silent=True)["spacy_version"] == spacy.__version__
import spacy.cli
out["real_cli"] = callable(getattr(spacy.cli, "download", None))
print(json.dumps(out))
"""


def test_spacy_without_its_command_line_and_nothing_lost():
    run = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert out == {"cli_loaded": False, "typer_loaded": False, "tokens": ["De", "NLA", "ziet", "meer", "."],
                   "info": True, "real_cli": True}


def test_a_spacy_that_needs_its_command_line_is_imported_the_plain_way():
    probe = ("import sys, builtins\n"
             "real = builtins.__import__\n"
             "def picky(name, globals=None, locals=None, fromlist=(), level=0):\n"
             "    m = real(name, globals, locals, fromlist, level)\n"
             "    if level == 1 and name == 'cli.info' and not hasattr(m, '__file__'):\n"
             "        raise ImportError('a placeholder')\n"
             "    return m\n"
             "builtins.__import__ = picky\n"
             "from mh_nlp.nlp.spacy_import import import_spacy\n"
             "spacy = import_spacy()\n"
             "print('spacy.cli' in sys.modules, spacy.blank('nl')('Een zin.')[0].text)\n")
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["True", "Een"]
