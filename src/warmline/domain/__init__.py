"""Domain types: frozen dataclasses with no I/O, shared by the engine, storage and the edges."""
