"""Event delivery: the log (storage) keeps every event; the bus pushes them to live listeners."""
