"""Benchmarks: data generators and timed comparisons against a floor (python -m benchmarks.<name>)."""
