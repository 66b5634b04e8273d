"""Business rules: plain functions ``f(session, ..., *, by=user, now=now)`` that only flush.

Services never touch ``flask.request``, ``flask.session`` or ``flash``: the caller passes the
acting user and ``now`` in.
"""
