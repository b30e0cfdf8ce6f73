"""Round 39 of ../RULE.md (lex2, not taken): a copy of the data folder whose written lexicon has this second batch's
terms appended to each section's first-batch terms (none equal to one of them), for
``MH_NLP_DATA=<folder> python training/choice_rule.py``.

    python training/variants/lexicon2/build_data.py /tmp/data_lex2
"""
import json
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[2] / "data"


def main(target: str) -> None:
    out = Path(target)
    if out.exists():
        sys.exit(f"{out} exists; give a new folder")
    shutil.copytree(DATA, out)
    second = {}
    for line in (HERE / "terms.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            second[row["section"]] = row["terms"]
    path = out / "synthetic" / "lexicon.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for row in rows:
        have = {t.lower() for t in row["terms"]}
        row["terms"] += [t for t in second.get(row["section"], []) if t.lower() not in have]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"wrote {out} ({sum(len(r['terms']) for r in rows)} lexicon terms)")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/data_lex2")
