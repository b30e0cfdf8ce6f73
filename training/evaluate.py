"""Grouped cross-validation of every candidate (same as `mh-nlp evaluate`): python training/evaluate.py [--folds 5]."""
from mh_nlp.cli.themes import evaluate

if __name__ == "__main__":
    evaluate(prog_name="training/evaluate.py")
