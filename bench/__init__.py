"""Benchmarks and their instance generators. Run with ``python -m bench [name ...]``.

Not part of the installed packages: the bench may do I/O (reading the gazetteer, writing the
README) and time things; the engines it measures stay pure.
"""
