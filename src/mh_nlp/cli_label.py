"""``mh-nlp classify`` and ``mh-nlp label``: classifying notes and batch-labelling files (registered on import)."""
