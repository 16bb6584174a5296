"""Turning a question into events: the answer context and the answerers."""
