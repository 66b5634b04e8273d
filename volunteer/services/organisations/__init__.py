"""Organisations and what they post: profiles, members, opportunities (needs) and shifts."""
