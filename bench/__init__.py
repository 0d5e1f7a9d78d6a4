"""``python -m bench``: seed a realistic spa and time the hot requests through the test client.

See ``__main__`` for the run; ``BENCH_DATABASE_URL`` points it at a PostgreSQL server.
"""
