"""Reads of live-stream operations, always scoped to the actor."""
