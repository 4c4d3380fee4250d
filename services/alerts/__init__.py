"""Saved searches that notify: alerts as stored queries, their matches on a topic, webhook delivery."""
