"""Benchmarks (``make bench``): run against a throw-away PostgreSQL database."""
