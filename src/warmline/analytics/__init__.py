"""Metrics: pure aggregations over the stored event log."""
