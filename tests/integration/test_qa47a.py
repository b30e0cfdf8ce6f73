"""QA 47a: corrections (`train --add`) and a model's life cycle through the CLI: what a corrections file may hold,
a screen export's unreviewed rows, `info` on an unusable model, one run per model, a backup of the model replaced."""
from __future__ import annotations

from click.testing import CliRunner

from mh_nlp.cli import main


def test_evaluate_help_names_the_corrections_table_it_writes_not_a_curve():
    res = CliRunner().invoke(main, ["evaluate", "--help"])
    assert res.exit_code == 0
    text = " ".join(res.output.split())
    assert "curve" not in text and "corrections table" in text and "half a page" in text
