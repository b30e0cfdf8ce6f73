"""Train the default theme model (same as `mh-nlp train`): python training/train.py [--model PATH] [--force]."""
from mh_nlp.cli.themes import train

if __name__ == "__main__":
    train(prog_name="training/train.py")
