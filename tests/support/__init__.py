"""Helpers shared by test modules (not fixtures: import them explicitly)."""
