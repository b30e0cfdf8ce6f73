"""How much the review screen's score "on your reviewed statements" flatters a model that learnt from them (QA 47a
D7), with the ridge classifiers fitted again per fold (the screen's way since 2026-12-07) and kept as trained (its
way before): ten corrections written for this check (not quotes; seven about one subject, three that stand alone)
are learnt with ``mh-nlp train --add`` into a model in a temporary folder, and the screen's check
(``mh_nlp.app.engine.evaluate_on_reviewed``) scores it both ways, beside the default model.

    python training/reviewed_score.py        # about 30 s with a warm embedding cache

2026-12-07: refitted 0.6 / top-3 0.7 / chapter 0.8; ridges kept 0.7 / 0.8 / 0.9; default model 0.0 / 0.1 / 0.3.
"""
from __future__ import annotations

import copy
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mh_nlp.app.engine import evaluate_on_reviewed
from mh_nlp.themes.train import load_classifier

ROWS = [(f"Bij nagelsalon {n} werken meisjes zonder contract en slapen ze boven de zaak.", "1.3") for n in "ABCDE"] + [
    ("In nagelstudio's werken Vietnamese minderjarigen lange dagen voor weinig geld.", "1.3"),
    ("Steeds meer uitbuiting in nagelsalons, vaak met jongeren uit Vietnam.", "1.3"),
    ("De bibliotheek heeft een nieuwe leesclub voor jongeren.", "4.6"),
    ("Het buurthuis organiseert koffieochtenden voor ouderen in de wijk.", "3.14"),
    ("We willen dat de gemeente een vast loket voor meldingen opent.", "4.2")]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        add, model = Path(tmp) / "corrections.jsonl", Path(tmp) / "corrected.npz"
        add.write_text("".join(json.dumps({"text": t, "section": s}, ensure_ascii=False) + "\n" for t, s in ROWS),
                       encoding="utf-8")
        subprocess.run([str(Path(sys.executable).parent / "mh-nlp"), "train", "--add", str(add), "--model",
                        str(model)], check=True)
        clf = load_classifier(model)
    kept = copy.copy(clf)
    kept.model = copy.copy(clf.model)
    kept.model.examples_cues_ = None  # as a model file written before 2026-12-07: the ridges are kept per fold
    reviewed = [{"text": t, "section": s} for t, s in ROWS]
    for name, c in (("ridges refitted per fold", clf), ("ridges kept", kept), ("default model", load_classifier())):
        start = time.perf_counter()
        out = evaluate_on_reviewed(c, reviewed)
        print(f"{name:25} section {out['accuracy']:.2f}  top-3 {out['top3']:.2f}  chapter "
              f"{out['chapter_accuracy']:.2f}  ({time.perf_counter() - start:.1f} s)")


if __name__ == "__main__":
    main()
