"""mh-nlp: Dutch NLP toolkit that sorts consultation statements about human trafficking into themes."""
__version__ = "0.1.0"
