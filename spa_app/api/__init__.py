"""The JSON API: reads for scripts and a richer front end, on its own blueprint under /api."""
