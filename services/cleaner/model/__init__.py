"""The headline ranker's weights (JSON), written by eval/train_headline.py."""
