"""A `pip install` that is not editable (QA 45a E1, E2): the package finds the data the wheel brings in
``<prefix>/share/mh-nlp/data`` and keeps its model in the user's data folder, instead of a ``data/`` and a
``models/`` inside ``site-packages``' parent that do not exist (entities then came back empty, with exit 0)."""
from __future__ import annotations

import glob
import tomllib
from pathlib import Path

import pytest

from mh_nlp import paths
from mh_nlp.exceptions import DataNotFound

ROOT = Path(__file__).resolve().parents[2]


def test_every_data_file_goes_into_the_wheel():
    """pyproject's data-files name each file of data/ (globs per folder): a new folder or kind of file in data/ that
    no pattern covers would be missing from an installed package."""
    spec = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["data-files"]
    shipped = {Path(f) for patterns in spec.values() for pattern in patterns for f in glob.glob(str(ROOT / pattern))}
    wanted = {p for p in (ROOT / "data").rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    assert wanted - shipped == set()
    for target, patterns in spec.items():  # each folder of data/ lands in the same folder under share/mh-nlp/data
        for pattern in patterns:
            assert Path(target) == paths.INSTALLED_DATA / Path(pattern).parent.relative_to("data")


@pytest.fixture
def installed(tmp_path, monkeypatch):
    """The package as a wheel installs it: no checkout around it, its data under the prefix's share/."""
    prefix = tmp_path / "venv"
    data = prefix / paths.INSTALLED_DATA
    data.mkdir(parents=True)
    (data / "sections.json").write_text("{}", encoding="utf-8")
    monkeypatch.setattr(paths, "in_checkout", lambda: False)
    monkeypatch.setattr(paths.sysconfig, "get_path", lambda name, scheme=None: str(prefix))
    for var in ("MH_NLP_DATA", "MH_NLP_MODELS", "XDG_DATA_HOME"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return data


def test_an_installed_package_reads_its_own_copy_of_the_data(installed):
    assert paths.data_dir() == installed
    assert paths.data_file("sections.json") == installed / "sections.json"
    with pytest.raises(DataNotFound, match="reinstall mh-nlp"):
        paths.data_file("entities", "organisations.jsonl")


def test_an_installed_package_keeps_its_model_in_the_users_data_folder(installed, tmp_path, monkeypatch):
    assert paths.models_dir() == tmp_path / "home" / ".local" / "share" / "mh-nlp" / "models"
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert paths.models_dir() == tmp_path / "xdg" / "mh-nlp" / "models"
    monkeypatch.setenv("MH_NLP_MODELS", str(tmp_path / "mine"))  # the variables still win
    monkeypatch.setenv("MH_NLP_DATA", str(tmp_path / "data"))
    assert (paths.models_dir(), paths.data_dir()) == (tmp_path / "mine", tmp_path / "data")


def test_a_checkout_reads_its_own_folders(monkeypatch):
    for var in ("MH_NLP_DATA", "MH_NLP_MODELS"):
        monkeypatch.delenv(var, raising=False)
    assert paths.in_checkout()
    assert (paths.data_dir(), paths.models_dir()) == (ROOT / "data", ROOT / "models")


def test_a_new_pipeline_without_its_entity_files_is_an_error(tmp_path, monkeypatch):
    """Not an empty answer with exit 0 (QA 45a E1)."""
    from mh_nlp.nlp.pipeline import build_pipeline

    monkeypatch.setenv("MH_NLP_DATA", str(tmp_path))
    with pytest.raises(DataNotFound, match="organisations.jsonl"):
        build_pipeline("blank")
