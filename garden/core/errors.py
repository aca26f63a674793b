class RuleError(Exception):
    """A request the garden's rules do not allow. The message is shown to the person;
    the status is what the API answers (400 bad input, 403 forbidden, 409 conflict)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = str(message)
        self.status = status
