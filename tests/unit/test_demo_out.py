"""`mh-nlp demo --out DIR` never replaces a user's own labels.csv or overview.md, and never writes into the
examples it reads (QA 37: it replaced a user's labels.csv, and a second run into examples/ read its own output)."""
from __future__ import annotations

from click.testing import CliRunner

from mh_nlp.cli import main
from mh_nlp.cli.themes import DEMO_MARK, _demo_out
from mh_nlp.paths import REPO_ROOT


def test_a_users_own_labels_are_never_replaced(tmp_path):
    own = tmp_path / "labels.csv"
    own.write_text("mijn eigen labels\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["demo", "--out", str(tmp_path)])
    assert res.exit_code == 1 and "was not written by the demo" in res.output and "nothing written" in res.output
    assert own.read_text(encoding="utf-8") == "mijn eigen labels\n" and not (tmp_path / DEMO_MARK).exists()
    assert "== 1." not in res.output  # refused before anything ran


def test_the_examples_folder_is_refused(tmp_path):
    for out in (REPO_ROOT / "examples", REPO_ROOT / "examples" / "out"):
        res = CliRunner().invoke(main, ["demo", "--out", str(out)])
        assert res.exit_code == 1 and "reads its notes from" in res.output
    assert not (REPO_ROOT / "examples" / "out").exists()


def test_its_own_folders_are_written_again(tmp_path):
    assert _demo_out(None, REPO_ROOT) == REPO_ROOT / "reports" / "demo"  # wherever the command is started
    (tmp_path / "labels.csv").write_text("from the demo\n", encoding="utf-8")
    (tmp_path / DEMO_MARK).write_text("", encoding="utf-8")
    assert _demo_out(tmp_path, REPO_ROOT) == tmp_path
    assert _demo_out(tmp_path / "new", REPO_ROOT) == tmp_path / "new"  # an empty or new folder is fine


def test_the_demo_runs_end_to_end(tmp_path):
    """`make demo`'s command as a whole: the model step (train --if-needed), the labelled examples and the summary.
    Stop 44's second --add check renamed train's argument, and the demo's call to train broke with a TypeError
    that no test saw; this one runs it."""
    import pytest

    from mh_nlp.themes.store import default_model_path

    if not default_model_path().exists():
        pytest.skip("no trained model (run `make setup`)")
    res = CliRunner().invoke(main, ["demo", "--out", str(tmp_path / "demo")], catch_exceptions=False)
    assert res.exit_code == 0, res.output[-2000:]
    for step in ("== 1. gold corpus", "== 2. model", "== 3. label the example notes", "== 4. accuracy"):
        assert step in res.output
    labels = (tmp_path / "demo" / "labels.csv").read_text(encoding="utf-8-sig")
    assert labels.startswith("source,position,statement,kind,section") and labels.count("\n") > 10
    assert (tmp_path / "demo" / "overview.md").exists()


def test_an_installed_package_says_where_the_demo_runs(tmp_path, monkeypatch):
    """QA 45a: a pip-installed package has no examples/ beside it; the demo gave a traceback."""
    from mh_nlp import paths

    monkeypatch.setattr(paths, "in_checkout", lambda: False)
    res = CliRunner().invoke(main, ["demo", "--out", str(tmp_path)])
    assert res.exit_code == 1 and "runs in a checkout" in res.output and "Traceback" not in res.output
    assert list(tmp_path.iterdir()) == []
