"""Notices: the clock (APScheduler), notice rules, the outbox dispatcher and the channels.

May import ``volunteer`` (models, services) and ``matching``. Nothing imports this package; the
web app only writes outbox rows, and Flask finds the ``scheduler`` command through an entry point.
"""
