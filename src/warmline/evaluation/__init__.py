"""Evaluation: measure retrieval (and later answers and escalation) on labelled sets."""
