"""`mh-nlp label` refuses what the review screen refuses (QA 49b), in one line naming the file and the limit: a PDF
whose pages share one large stream, a CSV wider than Excel allows, a binary file named .csv."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from conftest_label import run, use_fakes  # noqa: E402
from pdf_samples import shared_pdf  # noqa: E402

TEXT = b"BT /F1 12 Tf 72 720 Td (Er is te weinig opvang voor slachtoffers van mensenhandel.) Tj ET "


def _errors(result) -> list[str]:
    return [ln for ln in result.stderr.splitlines() if ln.startswith("mh-nlp: error:")]


def test_label_refuses_a_pdf_of_shared_streams_and_a_csv_too_wide_in_one_line_each(monkeypatch, tmp_path):
    use_fakes(monkeypatch)
    pdf = shared_pdf(tmp_path / "gedeeld.pdf", 100, TEXT + b" " * 150_000)
    r = run("label", pdf, "--max-unpacked-mb", "1", "-o", tmp_path / "uit.csv")
    assert r.exit_code == 1 and _errors(r) == [
        f"mh-nlp: error: {pdf}: its pages unpack to more than 1 MB of content together (by page 7; limit "
        "--max-unpacked-mb, 1 MB: a stream that pages share counts for each page that draws it); raise the limit "
        "with --max-unpacked-mb if the file is trusted", "mh-nlp: error: nothing could be labelled; no output written"]
    wide = tmp_path / "breed.csv"
    wide.write_text("tekst," + ",".join("c" for _ in range(20_000)) + "\nEr is te weinig opvang.\n", encoding="utf-8")
    r = run("label", wide, "-o", tmp_path / "uit.csv")
    assert r.exit_code == 1 and _errors(r)[0] == (
        f"mh-nlp: error: {wide}: row 1 has 20,001 cells: more than 16,384 columns, the most a table may have "
        "(Excel's limit); a table of notes has far fewer")
    assert not (tmp_path / "uit.csv").exists()


def test_label_says_what_a_binary_file_named_csv_is(monkeypatch, tmp_path):
    """The screen now refuses a binary .csv as `label` does (QA 49b D5); `label`'s words, kept."""
    import io
    import zipfile

    use_fakes(monkeypatch)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", "<w:document/>" + " " * 20_000)
    path = tmp_path / "verslag.csv"
    path.write_bytes(buf.getvalue())
    r = run("label", path, "-o", tmp_path / "uit.csv")
    assert r.exit_code == 1 and _errors(r)[0] == (
        f"mh-nlp: error: {path}: binary file, not text (it is a Word document: rename it .docx)")


def test_classify_makes_its_embedding_cache_for_this_user_alone_under_a_022_umask(tmp_path):
    """QA 49b D3: `classify` (as `label` and `train`) made embeddings-e5.sqlite and its -wal/-shm 0644 in a 0755
    folder. The real command, the real encoder, the usual umask."""
    import os
    import stat
    import subprocess

    cache = tmp_path / "cache"
    r = subprocess.run([sys.executable, "-c", "import os; os.umask(0o022); from mh_nlp.cli import main; "
                        "main(prog_name='mh-nlp')", "classify", "Er is te weinig opvang voor slachtoffers in Utrecht."],
                       env={**os.environ, "MH_NLP_CACHE": str(cache)}, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    modes = {p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in [cache, *cache.iterdir()]}
    assert modes["cache"] == "0o700" and "embeddings-e5.sqlite-wal" in modes and "embeddings-e5.sqlite-shm" in modes
    assert {n: m for n, m in modes.items() if n != "cache"} == {n: "0o600" for n in modes if n != "cache"}
