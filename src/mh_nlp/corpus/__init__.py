"""The gold corpus (layer 1): the taxonomy of sections and the hand-labelled quotes of the anthology (``records``)
and the checks that trace every quote back to the source text (``trace``). May import only ``mh_nlp.paths``."""
