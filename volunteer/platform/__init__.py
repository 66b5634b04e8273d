"""The platform under everything: database, clock, i18n, extensions, migrations, text cleaning.

Imports no other part of ``volunteer``.
"""
