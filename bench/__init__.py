"""`make bench`: a load test of the site as it runs in production (see bench/run.py)."""
