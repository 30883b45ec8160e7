"""Knowledge: ingest help-center content, chunk it by structure, and retrieve it with scores."""
