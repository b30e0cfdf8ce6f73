"""The README's example of what `mh-nlp classify` prints is what it prints (QA 55: after the model changed, the
README still showed the old confidence, chapter mass and alternatives, and explained the old figure)."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _example() -> tuple[str, list[str], str]:
    """The README's statement, the lines shown for it, and the prose that follows the block."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"What it prints, in part[^\n]*\n\n```\n(.*?)\n```\n(.*?)\n\n", text, re.S)
    assert block, "the README's classify example is gone"
    first, *shown = block.group(1).splitlines()
    statement = re.fullmatch(r'\$ \.venv/bin/mh-nlp classify "(.*)"', first)
    assert statement, first
    return statement.group(1), shown, block.group(2)


def test_the_readme_shows_what_classify_prints_and_explains_those_figures(trained):
    path, _meta, _clf = trained  # trained as `make setup` trains the default model
    statement, shown, prose = _example()
    res = subprocess.run([sys.executable, "-c", "from mh_nlp.cli import main; main(prog_name='mh-nlp')", "classify",
                          "--model", str(path), statement], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    assert res.stdout.rstrip("\n").splitlines() == shown
    confidence, chapter = re.search(r"confidence (\S+) .*\(chapter (\S+)\)", shown[2]).groups()
    assert f"(here {chapter})" in prose and f"(here {confidence}:" in prose
