"""The web layer: blueprints per audience, forms, wording, and the helpers views share.

May import ``volunteer.services``, ``volunteer.catalogue``, ``volunteer.models`` and
``volunteer.platform``; nothing below imports it back (import-linter contract).
"""
