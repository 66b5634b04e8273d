"""Notices as the web app writes them: the outbox, the inbox, preferences, unsubscribe links."""
