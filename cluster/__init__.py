"""`make cluster`: PostgreSQL, Redis, and two replicas of each server behind HAProxy.

Everything runs on this machine; docs/deploy.md maps the parts onto separate hosts.
"""
