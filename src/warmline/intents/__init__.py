"""Intents: which contact reason a customer's message is, and whether it is one we handle.

Trained from labelled examples (past tickets) with ``warmline intents train``; see
``docs/intents.md``.
"""

from warmline.intents.examples import evaluate, load_examples
from warmline.intents.model import IntentModel, IntentPrediction

__all__ = ["IntentModel", "IntentPrediction", "evaluate", "load_examples"]
