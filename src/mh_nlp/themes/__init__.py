"""Statements -> anthology sections (layer 3): the classifier's features and sentence encoders (``features``,
``embeddings``), the theme ranker (``model``), training and learning from corrections (``train``), the safe model
files (``store``), the evaluation (``evaluate``, with its ``baselines``), the spaCy component (``categorizer``) and
what a prediction looks like (``prediction``). May import ``nlp``, ``corpus`` and ``paths``."""
