"""The conversation engine: understand, retrieve, compose, decide; then answer or hand over."""
