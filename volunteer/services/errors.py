"""Errors services raise; views turn them into field messages or problem details."""


class ServiceError(Exception):
    """A rule said no. ``code`` is stable (tests, API); ``field`` names the form field."""

    def __init__(self, code: str, *, field: str | None = None, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.field = field
        self.params = params
