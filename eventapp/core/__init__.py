"""Shared pieces: access control and scoping, time helpers, column types, domain errors."""
