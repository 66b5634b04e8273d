"""Finding a match: profiles, the listing rule, search, the engine bridge and public figures."""
