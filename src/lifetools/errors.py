"""Exception and warning hierarchy, and the exit-code table.

User errors (subclasses of :class:`UserError`) are shown by the command line as one
message with no traceback and exit with their ``exit_code``. Anything else is a bug: it
keeps its traceback and exits 1.

Exit codes
----------
0  success
1  internal error (a bug: please report it with the traceback)
2  usage error (unknown option, missing argument: click's convention)
10 DictionaryError       the data dictionary itself is malformed
11 DataValidationError   input data break dictionary rules
12 ParameterError        unknown or ill-typed analysis parameter or edition
13 DisclosureError       the publish gate refused an output
14 AnalysisRunError      a notebook failed; the message names the notebook and cell
15 BuildError            the book could not be built or published
16 ReproducibilityError  a reproduced edition differs from the published one
17 UnversionedCodeError  publishing refused: code or inputs differ from the commit
"""

from __future__ import annotations

__all__ = [
    "EXIT_CODES",
    "AnalysisRunError",
    "BuildError",
    "DataValidationError",
    "DictionaryError",
    "DisclosureError",
    "DisclosureWarning",
    "LifetoolsError",
    "LifetoolsWarning",
    "ParameterError",
    "ReproducibilityError",
    "StatisticalWarning",
    "UnversionedCodeError",
    "UserError",
]


class LifetoolsError(Exception):
    """Base class of every lifetools exception; never raised directly."""


class UserError(LifetoolsError):
    """A mistake the user can fix: shown as one message, no traceback.

    ``hint`` (optional) is printed on its own ``HINT:`` line.
    """

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint

    def render(self) -> str:
        """Return the message as the command line prints it."""
        text = f"{type(self).__name__}: {self}"
        if self.hint:
            text += f"\nHINT: {self.hint}"
        return text


class DictionaryError(UserError):
    """The data dictionary itself is malformed (a file, table or field is wrong)."""

    exit_code = 10


class DataValidationError(UserError):
    """Input data break the dictionary's rules; ``report`` holds every problem."""

    exit_code = 11

    def __init__(self, message: str, *, report: object = None, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.report = report


class ParameterError(UserError):
    """An analysis parameter or edition is unknown or has the wrong type."""

    exit_code = 12


class DisclosureError(UserError):
    """The publish gate refused an output that could disclose a person."""

    exit_code = 13


class AnalysisRunError(UserError):
    """A notebook failed while running; the message names the notebook and the cell."""

    exit_code = 14


class BuildError(UserError):
    """The book could not be built, or the built site could not be published."""

    exit_code = 15


class ReproducibilityError(UserError):
    """Re-executing a published edition gave different results; lists each file."""

    exit_code = 16


class UnversionedCodeError(UserError):
    """Publishing refused: tracked code or inputs differ from the recorded commit."""

    exit_code = 17


EXIT_CODES = {
    "success": 0,
    "internal error": 1,
    "usage error": 2,
    **{
        cls.__name__: cls.exit_code
        for cls in (
            DictionaryError,
            DataValidationError,
            ParameterError,
            DisclosureError,
            AnalysisRunError,
            BuildError,
            ReproducibilityError,
            UnversionedCodeError,
        )
    },
}


class LifetoolsWarning(UserWarning):
    """Base class of lifetools warnings."""


class StatisticalWarning(LifetoolsWarning):
    """A statistical caution: few events per variable, a proportional-hazards failure..."""


class DisclosureWarning(LifetoolsWarning):
    """Disclosure protection was switched off, or a cell was suppressed unexpectedly."""
