"""Benchmarks: each runnable as `python -m bench.<name> [--help]`; `make bench` runs them all."""
