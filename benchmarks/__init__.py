"""HTTP benchmarks of Omnicart's hot catalog reads: ``python -m benchmarks run --db URL``.

See benchmarks/README.md for the catalog, the queries, what is measured and the targets.
"""
