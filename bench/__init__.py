"""The load benchmark, run as ``python -m bench`` (``make bench``); see bench/README.md.

It configures no Django: it drives a gunicorn it starts, through HTTP, wrk and pgbench.
"""
