"""Exception and warning hierarchy, and the exit-code table.

User errors (subclasses of :class:`UserError`) are shown by the command line as one
message with no traceback and exit with their ``exit_code``. Anything else is a bug: it
keeps its traceback and exits 1.

Exit codes
----------
:func:`exit_code_table` is the one table of exit codes: the command line's ``--help``
epilog and the documentation's "Errors and exit codes" page are generated from it. It
lists 0 (success), 1 (a bug), 2 (usage error), 130 (interrupted) and one row per
:class:`UserError` class, read from the classes themselves: a new subclass with its own
``exit_code`` appears everywhere without further edits. No user error exits 1.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = [
    "EXIT_CODES",
    "EXIT_INTERRUPTED",
    "AnalysisRunError",
    "BuildError",
    "DataValidationError",
    "DictionaryError",
    "DisclosureError",
    "DisclosureWarning",
    "EngineError",
    "ExitCode",
    "LifetoolsError",
    "LifetoolsWarning",
    "LinkageError",
    "OutputPathError",
    "ParameterError",
    "ReproducibilityError",
    "StatisticalWarning",
    "RapLevelError",
    "UnreachableCommitError",
    "UnversionedCodeError",
    "UserError",
    "exit_code_table",
]


class LifetoolsError(Exception):
    """Base class of every lifetools exception; never raised directly."""


class UserError(LifetoolsError):
    """A mistake the user can fix: shown as one message, no traceback.

    ``hint`` (optional) is printed on its own ``HINT:`` line. Raised directly for a
    mistake no subclass names (a missing setting, file or folder).
    """

    exit_code = 3
    meaning = "another mistake the user can fix (a missing setting, file or folder)"

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
    meaning = "Input data break the dictionary's rules (every problem is listed)"

    def __init__(self, message: str, *, report: object = None, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.report = report


class ParameterError(UserError):
    """An analysis parameter or edition is unknown, ill-typed or outside its domain."""

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


class LinkageError(UserError):
    """The pseudonymisation key is unsafe or missing, or NHS-number linkage failed.

    Raised for a short, public or badly protected key, NHS numbers outside the test range
    with the public synthetic key, a match rate below the floor, or an output folder
    inside the input folder. Messages cite counts and rows, never NHS numbers.
    """

    exit_code = 17


class OutputPathError(UserError):
    """An output path cannot be written: its folder is missing or a file is in the way."""

    exit_code = 18


class UnversionedCodeError(UserError):
    """Publishing refused: code or inputs differ from the recorded commit (changed or untracked files)."""

    exit_code = 19


class UnreachableCommitError(UserError):
    """The recorded commit is not in the repository's history, or on no branch or tag."""

    exit_code = 20


class EngineError(UserError):
    """The data engine (PostgreSQL, Spark, a DuckDB file) cannot be reached or refused the login.

    Messages name the source without its password (``lifetools.engines``).
    """

    exit_code = 22


class RapLevelError(UserError):
    """The repository does not reach the RAP level required (``lifetools rap --require``)."""

    exit_code = 21
    meaning = "The repository does not reach the RAP level required (lifetools rap --require)"


EXIT_INTERRUPTED = 130


class ExitCode(NamedTuple):
    """One row of the exit-code table: the code, the error class (if any), its meaning."""

    code: int
    error: str
    meaning: str


def _user_errors() -> list[type[UserError]]:
    found: list[type[UserError]] = [UserError]
    for cls in found:
        found.extend(c for c in cls.__subclasses__() if c not in found)
    return found


def exit_code_table() -> tuple[ExitCode, ...]:
    """Return every exit code of the command line, in increasing order.

    Built from the :class:`UserError` classes defined when called, so a subclass added
    anywhere in lifetools appears in ``--help`` and in the documentation.

    Raises
    ------
    RuntimeError
        If two error classes share an exit code or one claims a reserved code.
    """
    rows = [ExitCode(0, "", "success"),
            ExitCode(1, "", "internal error (a bug: please report it with the traceback)"),
            ExitCode(2, "", "usage error (unknown option or missing argument)"),
            ExitCode(EXIT_INTERRUPTED, "", "interrupted (Ctrl-C): nothing was published")]
    for cls in _user_errors():
        if "exit_code" not in vars(cls):
            continue  # a subclass sharing its parent's code needs no row
        meaning = vars(cls).get("meaning") or (
            (cls.__doc__ or cls.__name__).strip().splitlines()[0].rstrip("."))
        rows.append(ExitCode(cls.exit_code, cls.__name__, meaning))
    codes = [row.code for row in rows]
    if len(set(codes)) != len(codes):
        raise RuntimeError(f"exit codes are not unique: {sorted(codes)}")
    return tuple(sorted(rows))


EXIT_CODES = {row.error or row.meaning.split(" (")[0]: row.code
              for row in exit_code_table()}


class LifetoolsWarning(UserWarning):
    """Base class of lifetools warnings."""


class StatisticalWarning(LifetoolsWarning):
    """A statistical caution: few events per variable, a proportional-hazards failure..."""


class DisclosureWarning(LifetoolsWarning):
    """Disclosure protection was switched off, or a cell was suppressed unexpectedly."""
