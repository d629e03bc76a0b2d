"""Cobalt Network Setup: gets an Open Cobalt installation working on the user's network."""

__version__ = "0.1.0"
