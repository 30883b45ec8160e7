"""The demo shop's intent model: trained from its own labelled examples (``intents.csv``) the
first time the demo starts, and kept under the data folder, named by the data's checksum and
the embedder, so a changed file or embedder trains a new one."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from warmline.errors import ConfigurationError
from warmline.intents import IntentModel, load_examples
from warmline.knowledge.embeddings import Embedder

DEMO_INTENTS = Path(__file__).resolve().parent / "intents.csv"


def demo_intent_model(data_dir: Path, embedder: Embedder) -> Path:
    """The folder of the demo's trained intent model, training it when it is not there yet."""
    digest = hashlib.sha256(DEMO_INTENTS.read_bytes()).hexdigest()[:16]
    embedder_name = re.sub(r"[^A-Za-z0-9_.-]+", "-", embedder.name)
    folder = data_dir / "intents" / f"demo-{embedder_name}-{digest}"
    try:
        IntentModel.load(folder, embedder=embedder)
    except ConfigurationError:
        pass  # not trained yet (or left half-written): train it again
    else:
        return folder
    model = IntentModel.train(load_examples(DEMO_INTENTS), embedder=embedder, oos_label="oos")
    model.save(folder)
    return folder
