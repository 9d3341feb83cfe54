"""Offline evaluation scripts and benchmarks; nothing imports this package."""
