"""The parts of benchmarks/vector_engines.py: data and constants (data), engine adapters (engines, sql_engines),
what runs in each child process (children) and the parent's side of the harness (harness)."""
