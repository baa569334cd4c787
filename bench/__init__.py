"""`make bench`: a load test of the site as it runs in production (see bench/run.py), and the demo data it
runs on (bench/demo/, `manage.py seed_demo`): a Django app only bench.settings installs, never production."""
