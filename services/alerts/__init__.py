"""Saved searches that notify: percolator alerts, their matches on a topic, webhook delivery."""
