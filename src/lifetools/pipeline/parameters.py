"""Notebook parameters: one declaration each, with a type and a domain.

A parameter of ``analyses/analyses.yml`` is parsed into :class:`Parameter`: its type
(str, int, float, bool, date, list), default, meaning and domain (allowed values, from
the declaration or a code list of the data dictionary, or a range). :meth:`Parameter.
coerce` turns a command-line string into the type and :meth:`Parameter.check` refuses a
value outside the domain, naming the parameter, the value and the allowed values.

A number parameter whose value the reports write in prose declares ``words``: the
phrases that name it ("200 bootstrap samples", "3 SWEMWBS points"). The publish gate
lets the run's value of a parameter pass in prose only directly before one of them
(:mod:`lifetools.pipeline.gate.prose`; without words it passes nowhere);
``analyses.yml`` is their one owner, so a new parameter brings its words with it and
no library code is edited. A duration (``*_days``, ``*_weeks``, ``*_months``,
``*_years``) is named by its unit and takes none. A phrase that could name a count of people, or a bound ("people", "samples",
"or more"), is refused by :func:`lifetools.disclosure.settings.loose_words`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from lifetools.disclosure.settings import DURATION_NAME, loose_words
from lifetools.errors import ParameterError

__all__ = ["CODE_LISTS", "EDITION_PARAMETERS", "PARAMETER_TYPES", "FrozenModel", "Parameter"]

PARAMETER_TYPES = ("str", "int", "float", "bool", "date", "list")
EDITION_PARAMETERS = ("period_start", "period_end")


def _localities(dictionary) -> tuple[str, ...]:
    # the localities of the deprivation lookup, as the dictionary names them (the site
    # that serves each locality)
    return tuple(dictionary.groups("life_rooms_contacts", "site"))


def _team_types(dictionary) -> tuple[str, ...]:
    return tuple(dictionary.table("referrals").field("team_type").labels)


#: Code lists a parameter may take its allowed values from (``choices_from``), read
#: from the data dictionary when parameters are checked.
CODE_LISTS: dict[str, Callable[[Any], tuple[str, ...]]] = {
    "locality": _localities,
    "team_type": _team_types,
}


def _not_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("a true/false value is not a number")
    return value.strip() if isinstance(value, str) else value


def _text(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value.strip() if isinstance(value, str) else value


def _date(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        raise ValueError("a date has no time of day")
    if isinstance(value, dt.date | str):
        return value.strip() if isinstance(value, str) else value
    raise ValueError("a date is written YYYY-MM-DD")


def _items(value: Any) -> list[str]:
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value]
    raise ValueError("a list is written A,B or [A, B]")


_ADAPTERS: dict[str, TypeAdapter] = {
    "str": TypeAdapter(Annotated[str, BeforeValidator(_text)]),
    "int": TypeAdapter(Annotated[int, BeforeValidator(_not_bool)]),
    "float": TypeAdapter(Annotated[float, BeforeValidator(_not_bool),
                                   Field(allow_inf_nan=False)]),
    "bool": TypeAdapter(bool),
    "date": TypeAdapter(Annotated[dt.date, BeforeValidator(_date)]),
    "list": TypeAdapter(Annotated[list[str], BeforeValidator(_items)]),
}
_EXAMPLES = {"date": "2024-03-31", "list": "A06,A05", "bool": "true", "int": "90",
             "float": "0.5", "str": "text"}


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class FrozenModel(BaseModel):
    """Frozen, no unknown keys; fields may also be given by position, in order."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        names = list(type(self).model_fields)
        if len(args) > len(names):
            raise TypeError(f"{type(self).__name__} takes at most {len(names)} values")
        super().__init__(**dict(zip(names, args, strict=False)), **kwargs)


class Parameter(FrozenModel):
    """One declared notebook parameter: type, default, meaning and domain.

    The domain is ``choices`` (allowed values) and/or ``choices_from`` (a code list of
    the data dictionary, see :data:`CODE_LISTS`) for ``str`` and ``list`` parameters,
    and a range (``minimum``/``maximum``, inclusive, or ``exclusive_minimum``/
    ``exclusive_maximum``) for numbers. Every ``str``, ``list``, ``int`` and ``float``
    parameter must declare one.
    """

    name: str = ""
    type: Literal["str", "int", "float", "bool", "date", "list"]
    default: Any
    description: str = ""
    choices: tuple[Any, ...] = ()
    choices_from: Literal["locality", "team_type"] | None = None
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: float | None = None
    exclusive_maximum: float | None = None
    words: tuple[str, ...] = ()
    """Phrases that name the value in prose (matched case-insensitively, any spacing):
    the gate lets the run's value pass only directly before one of them."""

    @model_validator(mode="after")
    def _declares_its_words(self) -> Parameter:
        if self.words and self.type not in ("int", "float"):
            raise ValueError(f"words are only for numbers, not for a {self.type}")
        if self.words and DURATION_NAME.search(self.name):
            raise ValueError("a duration (a name ending _days, _weeks, _months or "
                             "_years) is named by its unit: it takes no words")
        loose = loose_words(self.words)
        if loose:
            raise ValueError(f"words {', '.join(map(repr, loose))} could name a count "
                             "of people or a bound: name the parameter itself "
                             "(\"bootstrap samples\", not \"samples\")")
        return self

    @model_validator(mode="after")
    def _declares_a_domain(self) -> Parameter:
        bounds = (self.minimum, self.maximum, self.exclusive_minimum,
                  self.exclusive_maximum)
        numeric = self.type in ("int", "float")
        if numeric and all(b is None for b in bounds):
            raise ValueError(f"{self.type} parameter declares no range: give minimum, "
                             "maximum, exclusive_minimum or exclusive_maximum")
        if not numeric and any(b is not None for b in bounds):
            raise ValueError(f"a range is only for numbers, not for a {self.type}")
        if self.type in ("str", "list") and not (self.choices or self.choices_from):
            raise ValueError(f"{self.type} parameter declares no allowed values: give "
                             f"choices or choices_from ({', '.join(CODE_LISTS)})")
        if self.type in ("bool", "date") and (self.choices or self.choices_from):
            raise ValueError(f"a {self.type} parameter takes no choices")
        try:
            object.__setattr__(self, "default", self.coerce(self.default))
            if not self.choices_from:
                self.check(self.default)
        except ParameterError as exc:
            raise ValueError(f"default: {exc}") from None
        return self

    def coerce(self, value: Any, *, where: str = "") -> Any:
        """Convert ``value`` (often a command-line string) to the parameter's type.

        Raises
        ------
        ParameterError
            Naming the parameter, the value and the type, with an example.
        """
        try:
            result = _ADAPTERS[self.type].validate_python(value)
        except ValidationError:
            place = f" of analysis {where!r}" if where else ""
            raise ParameterError(
                f"parameter {self.name!r}{place} must be of type {self.type}: "
                f"got {_shown(value)}",
                hint=f"for example `-p {self.name} {_EXAMPLES[self.type]}`",
            ) from None
        return result.isoformat() if isinstance(result, dt.date) else result

    def allowed(self, codes: Mapping[str, tuple[str, ...]] | None = None) -> tuple:
        """Return the allowed values: ``choices`` and the ``choices_from`` code list."""
        listed = tuple(codes[self.choices_from]) if codes and self.choices_from else ()
        return (*self.choices, *listed)

    def domain(self, codes: Mapping[str, tuple[str, ...]] | None = None) -> str:
        """Describe the domain in words (as error messages and ``params`` show it)."""
        if self.type in ("str", "list"):
            values = ", ".join(map(str, self.allowed(codes)))
            if self.choices_from and not codes:
                values = ", ".join([*map(str, self.choices),
                                    f"a {self.choices_from} code"])
            return ("one or more of " if self.type == "list" else "one of ") + values
        if self.type == "bool":
            return "true or false"
        if self.type == "date":
            return "a date YYYY-MM-DD"
        parts = []
        for bound, sign in ((self.minimum, ">="), (self.exclusive_minimum, ">"),
                            (self.maximum, "<="), (self.exclusive_maximum, "<")):
            if bound is not None:
                parts.append(f"{sign} {bound:g}")
        return " and ".join(parts)

    def check(self, value: Any, codes: Mapping[str, tuple[str, ...]] | None = None,
              *, where: str = "") -> None:
        """Raise ParameterError if a typed ``value`` is outside the declared domain."""
        allowed = self.allowed(codes)
        if self.type == "list":
            bad = [v for v in value if v not in allowed] if allowed else []
            inside = bool(value) and not bad
        elif self.type == "str":
            inside = value in allowed if allowed else True
        elif self.type in ("int", "float"):
            inside = ((self.minimum is None or value >= self.minimum)
                      and (self.maximum is None or value <= self.maximum)
                      and (self.exclusive_minimum is None or value > self.exclusive_minimum)
                      and (self.exclusive_maximum is None or value < self.exclusive_maximum))
        else:
            inside = True
        if not inside:
            place = f" of analysis {where!r}" if where else ""
            raise ParameterError(
                f"parameter {self.name!r}{place} is {_shown(value)}; allowed: "
                f"{self.domain(codes)}",
                hint=f"see `lifetools params {where}`" if where else None,
            )
