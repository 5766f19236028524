"""The one error class of the package: the same `code`s as the JavaScript library's Errors."""

import sys

CODES = ("BAD_ARGUMENT", "LIMIT", "NO_MEMORY", "BAD_FILE", "DIVERGED", "DISPOSED")


class S2SError(Exception):
    """An error with a `code` (BAD_ARGUMENT, LIMIT, BAD_FILE, DIVERGED, ...) and a message that says what to do."""

    def __init__(self, message, code="BAD_ARGUMENT"):
        super().__init__(message)
        self.code = code


class UsageError(S2SError):
    """A command line that cannot work as given (exit status 2, as argparse's and the Node CLI's)."""


def run_command(main):
    """Runs a command's main() and exits with its status; an S2SError is one line on stderr and
    exit 1 (2 for a UsageError)."""
    try:
        sys.exit(main())
    except S2SError as e:
        sys.stderr.write(f"seq2seq-attention: error: {e}\n")
        sys.exit(2 if isinstance(e, UsageError) else 1)
