"""Usage events in DuckDB: one writer thread per process, analytics queries, plotly figures."""
