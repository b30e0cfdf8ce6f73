"""Statements -> anthology sections (layer 3): what the model reads of a statement and the sentence encoders
(``features``, ``embeddings``), the theme model v3 (``examples``: sections ranked by the evidence of their
quotes, written statements and corrections; scoring with NumPy only, fitting with scikit-learn/SciPy), the
previous model v2 kept as a baseline (``model`` fitted, ``scoring`` scored), the classifier in use
(``classifier``: load a checked model, predict), training and learning from corrections (``train``), how close
the written statements sit to the quotes (``written``), the safe model files (``store``), the evaluation
(``evaluate``, with its ``baselines``), the spaCy component (``categorizer``) and what a prediction looks like
(``prediction``). May import ``nlp``, ``corpus`` and ``paths``; using a model never imports scikit-learn."""
