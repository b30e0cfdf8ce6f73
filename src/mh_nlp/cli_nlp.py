"""``mh-nlp info`` and ``mh-nlp entities``: the spaCy pipeline's commands (registered on import)."""
