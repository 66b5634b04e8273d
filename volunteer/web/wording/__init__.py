"""Codes into sentences: service errors and the engine's reasons, in the reader's language."""
