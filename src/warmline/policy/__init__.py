"""Policy as data: thresholds, messages and routing, in versioned YAML validated by a schema."""
