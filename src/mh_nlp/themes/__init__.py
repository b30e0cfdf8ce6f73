"""Statements -> anthology sections (layer 3): what the model reads of a statement and the sentence encoders
(``features``, ``embeddings``), the theme ranker fitted (``model``, scikit-learn) and scored (``scoring``, NumPy
only), the classifier in use (``classifier``: load a checked model, predict), training and learning from
corrections (``train``), the safe model files (``store``), the evaluation (``evaluate``, with its ``baselines``),
the spaCy component (``categorizer``) and what a prediction looks like (``prediction``). May import ``nlp``,
``corpus`` and ``paths``; using a model never imports scikit-learn."""
