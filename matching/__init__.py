"""The matching engine: plain data in, ranked and explained matches and optimal assignments out.

Pure by design so that it can be tested exhaustively, benchmarked in isolation and reused by any
tool: it imports the standard library, numpy and numba (its compiled kernels) only. No Flask, no
database, no clock (callers pass ``now``), no configuration files, no I/O.
"""
