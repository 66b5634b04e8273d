"""Reference data shipped with the app: taxonomy, causes, languages, the gazetteer, geocoding.

The CSVs under ``volunteer/data`` are the source; ``sync`` copies them into the database.
May import ``volunteer.models`` and ``volunteer.platform`` only.
"""
