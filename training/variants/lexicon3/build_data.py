"""Round 44 of ../RULE.md (lex3, not taken): a copy of the data folder whose written lexicon has this third batch's
rows (2026-12-07-lexc1 ... lexc4, 40 terms a section, none equal to an earlier term of its section) after the two
batches of data/synthetic/lexicon.jsonl, for ``MH_NLP_DATA=<folder> python training/choice_rule.py``.

    python training/variants/lexicon3/build_data.py /tmp/data_lex3
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
    rows = [json.loads(line) for line in (HERE / "terms.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    rows.sort(key=lambda r: tuple(int(x) for x in r["section"].split(".")))
    path = out / "synthetic" / "lexicon.jsonl"
    with path.open("a", encoding="utf-8") as f:
        f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    print(f"wrote {out} ({sum(len(r['terms']) for r in rows)} more lexicon terms)")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/data_lex3")
