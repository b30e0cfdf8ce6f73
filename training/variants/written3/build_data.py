"""Round 37 (training/variants/RULE.md): a copy of data/ whose written set has the third batch of written statements
(statements.jsonl beside this file: 2,062 statements written 2026-12-07 by six helper sessions from the taxonomy with
brief.md, 2,080 written, 18 left out as copies or near-copies) appended. Not taken: the product's data/ stays as it
is. To rerun the round:

    python training/variants/written3/build_data.py /tmp/data3
    MH_NLP_DATA=/tmp/data3 python training/choice_rule.py                             # round 37, wr3
    MH_NLP_DATA=/tmp/data3 python training/choice_rule.py training/variants/ww.py     # round 37b
    MH_NLP_DATA=/tmp/data3 python training/written_probe.py                           # the batches on their own
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[2] / "data"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python training/variants/written3/build_data.py NEW_FOLDER", file=sys.stderr)
        return 2
    out = Path(argv[0])
    if out.exists():
        print(f"error: {out} exists; name a new folder", file=sys.stderr)
        return 1
    shutil.copytree(DATA, out)
    with open(out / "synthetic" / "statements.jsonl", "a", encoding="utf-8") as f:
        f.write((HERE / "statements.jsonl").read_text(encoding="utf-8"))
    print(f"written: {out} (data/ with the third batch appended to synthetic/statements.jsonl)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
