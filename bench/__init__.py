"""Benchmarks (``make bench``): see bench/README.md for the module contract."""
