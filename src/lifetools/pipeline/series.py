"""The report series: editions and analyses declared in ``analyses/analyses.yml``.

The series file is the one place that says what gets published: each edition's period
and parameters, and each analysis's notebook, title and parameters. Each parameter is
declared once there, with its type, default and *domain* (its allowed values or range);
this module parses the file with pydantic models (an error names the file and line),
and resolves and checks the parameters of one notebook run before anything runs.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from lifetools import config
from lifetools.dictionary import load_dictionary, parse_yaml
from lifetools.disclosure import PROFILES, SdcProfile, get_profile
from lifetools.engines import parse_source
from lifetools.errors import ParameterError, UserError
from lifetools.pipeline.parameters import (
    CODE_LISTS,
    EDITION_PARAMETERS,
    PARAMETER_TYPES,
    FrozenModel,
    Parameter,
)

__all__ = [
    "CODE_LISTS",
    "PARAMETER_TYPES",
    "STATUS_TEXT",
    "Analysis",
    "Contact",
    "Edition",
    "MainPoint",
    "Parameter",
    "Publication",
    "Series",
    "load_series",
]

logger = logging.getLogger(__name__)


def _iso(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return dt.date.fromisoformat(str(value)).isoformat()


class Edition(FrozenModel):
    """One edition of the series: a reporting period and its parameters."""

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    title: str = ""
    period_start: str
    period_end: str
    changes: str = ""
    parameters: dict[str, Any] = Field(default_factory=dict)

    @field_validator("period_start", "period_end", mode="before")
    @classmethod
    def _a_date(cls, value: Any) -> str:
        return _iso(value)

    @property
    def changes_said(self) -> str:
        """What changed in the edition, as every page says it (the edition's front
        page, the archive and the release calendar): ``changes``, or "not stated."."""
        return self.changes or "not stated."

    @model_validator(mode="after")
    def _ordered(self) -> Edition:
        if self.period_end <= self.period_start:
            raise ValueError(f"edition {self.id!r} ends before it starts")
        if not self.title:
            object.__setattr__(self, "title", f"{self.id} edition")
        return self


class Analysis(FrozenModel):
    """One report: a notebook, its title and its declared parameters."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    notebook: str = Field(pattern=r"^[^/\\]+\.ipynb$")
    title: str
    summary: str = ""
    editions: tuple[str, ...] = ("all",)
    parameters: dict[str, Parameter] = Field(default_factory=dict)
    #: Optional columns ("table.column") the report cannot do without: an extract in
    #: which one is empty in every row is refused before any notebook runs.
    needs: tuple[Annotated[str, StringConstraints(
        pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")], ...] = ()

    @field_validator("editions", mode="before")
    @classmethod
    def _all_or_list(cls, value: Any) -> Any:
        return ("all",) if value == "all" else value

    @field_validator("parameters", mode="before")
    @classmethod
    def _named(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            return {name: {**spec, "name": name} if isinstance(spec, Mapping) else spec
                    for name, spec in value.items()}
        return value

    def in_edition(self, edition_id: str) -> bool:
        """Tell whether this analysis belongs to the edition."""
        return "all" in self.editions or edition_id in self.editions


class _SeriesInfo(FrozenModel):
    title: str
    description: str = ""
    current_edition: str | None = None


class _Synthetic(FrozenModel):
    people: int = Field(30000, ge=100)
    seed: int = Field(20250331, ge=0)


class _Data(FrozenModel):
    synthetic: _Synthetic = _Synthetic()
    source: str | None = None
    """The extract to build from when ``--data`` is not given: a folder of table files
    or a DuckDB database file, relative to the project root, or a PostgreSQL URL with no
    password (``postgresql://analyst@host/db``). None: the synthetic data."""

    @field_validator("source")
    @classmethod
    def _no_credential(cls, value: str | None) -> str | None:
        """A URL's password or token is refused when the series file is read (not
        only when a build runs): the refusal names the URL with it hidden."""
        if value is not None and value.strip().startswith(_URL_SCHEMES):
            try:
                parse_source(value)
            except UserError as error:
                hint = f" ({error.hint})" if error.hint else ""
                raise ValueError(f"{error}{hint}") from None
        return value


_URL_SCHEMES = ("postgresql://", "postgres://", "sc://")
"""The sources that are URLs (no file is read to check them): a password or token in
one is refused by :func:`lifetools.engines.parse_source`."""


class _Disclosure(FrozenModel):
    profile: str = "default"
    acro: bool = False
    """Cross-check every protected table with ACRO inside the kernels (the gate
    refuses a disagreement and, when true, a table ACRO did not check)."""

    @field_validator("profile")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in PROFILES:
            raise ValueError(f"unknown disclosure control profile {value!r}; known: "
                             f"{', '.join(sorted(PROFILES))}")
        return value


STATUS_TEXT = {
    "official statistics": (
        "Official statistics are produced in line with the standards of "
        "trustworthiness, quality and value in the Code of Practice for Statistics."),
    "official statistics in development": (
        "Official statistics in development are new or changing statistics, published "
        "so that users can help shape them. They follow the standards of "
        "trustworthiness, quality and value in the Code of Practice for Statistics as "
        "far as they can while they are developed, and their methods may change."),
    "management information": (
        "Management information is produced to help run and improve services. It has "
        "not been through the quality assurance that official statistics receive."),
}


class Contact(FrozenModel):
    """Who answers questions about the statistics."""

    name: str = ""
    email: str = ""


class MainPoint(FrozenModel):
    """How one report's main point is worded (``publication.main_points.<id>``).

    ``text`` is a template whose fields are ``{estimate}``, ``{interval}``,
    ``{verdict}`` and the name of any key result; ``estimate``, ``interval`` and
    ``events`` name key results; ``no_effect`` is the value meaning "no difference"
    (1 for a ratio, 0 for a difference); ``above`` and ``below`` word an interval
    wholly above or below it, ``on_null`` an interval that includes it (default
    "compatible with no difference"); ``measure`` names the estimate when it could not
    be estimated. Unknown keys are refused (a bare YAML ``null:`` key among them).
    """

    measure: str = ""
    text: str = ""
    estimate: str | None = None
    interval: str | None = None
    events: str | None = None
    no_effect: float = 1.0
    above: str = ""
    below: str = ""
    on_null: str = ""


class Publication(FrozenModel):
    """The ``publication:`` block: the published pages' wording, every key optional."""

    publisher: str = "Mersey Care NHS Foundation Trust"
    status: str = "official statistics in development"
    contact: Contact = Contact()
    repository: str = ""
    site_url: str = ""
    next_release: str = "not yet announced"
    main_points: dict[str, MainPoint] = Field(default_factory=dict)

    @field_validator("main_points", mode="before")
    @classmethod
    def _named_keys(cls, value: Any) -> Any:
        for report, spec in (value.items() if isinstance(value, dict) else ()):
            if isinstance(spec, dict) and any(not isinstance(k, str) for k in spec):
                raise ValueError(
                    f"main point {report!r} has a key that is not a name (a bare "
                    "'null:' key is YAML's null): write 'no_effect:'")
        return value

    @field_validator("site_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.strip().rstrip("/")

    @property
    def contact_name(self) -> str:
        """The contact's name (empty when not configured)."""
        return self.contact.name

    @property
    def contact_email(self) -> str:
        """The contact's email address (empty when not configured)."""
        return self.contact.email

    @property
    def status_text(self) -> str:
        """The explanation of the configured status (empty for an unknown label)."""
        return STATUS_TEXT.get(self.status.lower(), "")


class Series(FrozenModel):
    """The whole report series as declared in the series file."""

    series: _SeriesInfo
    data: _Data = _Data()
    disclosure: _Disclosure = _Disclosure()
    """The statistical disclosure control profile every report of the series is
    protected with (:data:`lifetools.disclosure.PROFILES`)."""
    publication: Publication = Publication()
    """The published pages' wording (contact, status, calendar, repository, site URL,
    main points), read by :mod:`lifetools.pipeline.pages` and ``reproduce``."""
    editions: tuple[Edition, ...] = Field(min_length=1)
    analyses: tuple[Analysis, ...] = Field(min_length=1)
    _path: Path = PrivateAttr(default=Path("analyses.yml"))
    _codes: dict[str, tuple[str, ...]] | None = PrivateAttr(default=None)

    @property
    def path(self) -> Path:
        """The series file."""
        return self._path

    @property
    def title(self) -> str:
        """The series title."""
        return self.series.title

    @property
    def description(self) -> str:
        """The series description (landing page)."""
        return self.series.description

    @property
    def current_edition(self) -> str:
        """The edition rebuilt by every build (default: the last declared)."""
        return self.series.current_edition or self.editions[-1].id

    @property
    def synthetic_people(self) -> int:
        """Size of the embedded synthetic dataset."""
        return self.data.synthetic.people

    @property
    def synthetic_seed(self) -> int:
        """Seed of the embedded synthetic dataset."""
        return self.data.synthetic.seed

    @property
    def sdc_profile(self) -> SdcProfile:
        """The disclosure control profile chosen in the series file (``disclosure:``)."""
        return get_profile(self.disclosure.profile)

    def edition(self, edition_id: str) -> Edition:
        """Return the edition with this id, or raise ParameterError listing the ids."""
        for edition in self.editions:
            if edition.id == edition_id:
                return edition
        known = ", ".join(e.id for e in self.editions)
        raise ParameterError(
            f"{self.path.name}: there is no edition {edition_id!r}",
            hint=f"editions declared in {self.path.name}: {known}",
        )

    def analysis(self, analysis_id: str) -> Analysis:
        """Return the analysis with this id (or notebook stem), or raise ParameterError."""
        for analysis in self.analyses:
            if analysis_id in (analysis.id, Path(analysis.notebook).stem):
                return analysis
        known = ", ".join(a.id for a in self.analyses)
        raise ParameterError(
            f"{self.path.name}: there is no analysis {analysis_id!r}",
            hint=f"analyses declared in {self.path.name}: {known}",
        )

    def analyses_in(self, edition_id: str) -> tuple[Analysis, ...]:
        """Return the analyses that belong to an edition, in declared order."""
        return tuple(a for a in self.analyses if a.in_edition(edition_id))

    def code_lists(self) -> dict[str, tuple[str, ...]]:
        """Return the dictionary's code lists named by ``choices_from`` (read once)."""
        if self._codes is None:
            dictionary = load_dictionary()
            self._codes = {name: read(dictionary) for name, read in CODE_LISTS.items()}
        return self._codes

    def resolve_parameters(
        self,
        analysis: Analysis,
        edition: Edition,
        overrides: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Return the typed, checked parameters for one run: defaults < edition < overrides.

        Raises
        ------
        ParameterError
            Before anything runs, if an override names a parameter the analysis does
            not declare, a value has the wrong type or lies outside its domain (the
            message names the parameter, the value and the allowed values), or the
            period ends before it starts.
        """
        where = analysis.id
        values = {name: p.default for name, p in analysis.parameters.items()}
        values["period_start"] = edition.period_start
        values["period_end"] = edition.period_end
        for name, value in edition.parameters.items():
            if name in analysis.parameters:
                values[name] = analysis.parameters[name].coerce(value, where=where)
        for name, value in (overrides or {}).items():
            if name in EDITION_PARAMETERS:
                period = Parameter(name=name, type="date", default=values[name])
                values[name] = period.coerce(value, where=where)
                continue
            if name not in analysis.parameters:
                known = ", ".join([*EDITION_PARAMETERS, *analysis.parameters])
                raise ParameterError(
                    f"analysis {where!r} has no parameter {name!r}",
                    hint=f"its parameters are: {known} (see `lifetools params {where}`)",
                )
            values[name] = analysis.parameters[name].coerce(value, where=where)
        if values["period_end"] <= values["period_start"]:
            raise ParameterError(
                f"analysis {where!r}: period_end {values['period_end']} is not after "
                f"period_start {values['period_start']}",
                hint="the period must be ordered: period_start < period_end",
            )
        needs_codes = any(p.choices_from for p in analysis.parameters.values())
        codes = self.code_lists() if needs_codes else None
        for name, parameter in analysis.parameters.items():
            parameter.check(values[name], codes, where=where)
        logger.debug("%s/%s parameters: %s", edition.id, where, values)
        return values


def _lines(node: yaml.Node, path: tuple = ()) -> dict[tuple, int]:
    """Map each key path of a composed YAML document to its 1-based line."""
    found = {path: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            found[(*path, key.value)] = key.start_mark.line + 1
            found.update(_lines(value, (*path, key.value)))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            found.update(_lines(item, (*path, index)))
    return found


def _place(lines: Mapping[tuple, int], location: tuple) -> tuple[str, int]:
    """Return the readable location and the line of a pydantic error location."""
    path: tuple = ()
    for part in location:
        if (*path, part) in lines:
            path = (*path, part)
    return "/".join(map(str, location)) or "(top)", lines.get(path, 1)


def _fail(path: Path, lines: Mapping[tuple, int], problems: list[tuple[tuple, str]]):
    shown = []
    for location, message in problems[:10]:
        where, line = _place(lines, location)
        shown.append(f"  {path.name}:{line}: at {where}: {message}")
    first = _place(lines, problems[0][0])[1]
    raise ParameterError(
        f"{path}:{first}: the series file is not valid\n" + "\n".join(shown),
        hint="see book/howto/add-an-analysis.md for the series file's keys",
    )


def _consistency(series: Series) -> list[tuple[tuple, str]]:
    problems: list[tuple[tuple, str]] = []
    for kind, items in (("edition", series.editions), ("analysis", series.analyses)):
        seen: set[str] = set()
        for index, item in enumerate(items):
            if item.id in seen:
                key = "editions" if kind == "edition" else "analyses"
                problems.append(((key, index, "id"), f"duplicate {kind} id {item.id!r}"))
            seen.add(item.id)
    ids = {e.id for e in series.editions}
    for index, analysis in enumerate(series.analyses):
        unknown = [e for e in analysis.editions if e != "all" and e not in ids]
        if unknown:
            problems.append((("analyses", index, "editions"),
                             f"analysis {analysis.id!r} names unknown edition(s) {unknown}"))
    current = series.series.current_edition
    if current is not None and current not in ids:
        problems.append((("series", "current_edition"),
                         f"current_edition {current!r} is not declared"))
    return problems


def _parsed(text: str) -> tuple[dict, Any]:
    """The lines of the series file's keys (:func:`_lines`) and its data, parsed once
    (the data constructed from the node tree): by libyaml when installed; a file it
    refuses is parsed again by the pure-Python loader, whose message (its line and
    column) is the one raised (:func:`lifetools.dictionary.parse_yaml`)."""
    return parse_yaml(lambda loader: _composed(text, loader))


def _composed(text: str, loader_class: type) -> tuple[dict, Any]:
    """The key lines and data of ``text`` read by ``loader_class``. The lines are read
    before the data are constructed: constructing flattens merge keys (``<<:``) in
    the tree itself."""
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, None
        return _lines(node), loader.construct_document(node)
    finally:
        loader.dispose()


def load_series(path: Path | None = None) -> Series:
    """Load and check the series file (default ``analyses/analyses.yml``).

    Raises
    ------
    ParameterError
        If the file is missing, not YAML, breaks the models above, or is inconsistent
        (duplicate ids, unknown editions, a period that ends before it starts, a
        parameter with no domain or a default outside it). The message names the
        file and line of each problem (at most ten).
    """
    path = Path(path) if path else config.project_root() / config.SERIES_FILE
    try:
        text = path.read_text(encoding="utf-8")
        lines, raw = _parsed(text)
    except FileNotFoundError:
        raise ParameterError(f"{path}: the series file does not exist") from None
    except yaml.YAMLError as exc:
        raise ParameterError(f"{path}: the series file is not valid YAML: {exc}") from None
    try:
        series = Series.model_validate(raw)
    except ValidationError as exc:
        _fail(path, lines, [(tuple(e["loc"]), e["msg"].removeprefix("Value error, "))
                            for e in exc.errors()])
    except ParameterError as exc:  # a default of the wrong type or outside its domain
        _fail(path, lines, [((), str(exc))])
    problems = _consistency(series)
    if problems:
        _fail(path, lines, problems)
    series._path = path
    logger.debug("loaded %s: %d editions, %d analyses", path, len(series.editions),
                 len(series.analyses))
    return series
