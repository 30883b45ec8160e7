"""Warmline: an AI front line for customer support that knows when to hand over."""

__version__ = "0.1.0"
