"""The Flask web app: app factory, blueprints per audience, models, services and the CLI.

May import ``matching``; never imports ``notifications`` (notices are written as outbox rows in
the same transaction as the change that causes them).
"""
