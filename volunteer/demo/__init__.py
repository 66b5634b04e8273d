"""Demo data: the demo city's words (``content``) and the rows made from them (``city``)."""
