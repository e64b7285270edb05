"""The report series: editions and analyses declared in ``analyses/analyses.yml``.

The series file is the one place that says what gets published: each edition's period
and parameters, and each analysis's notebook, title and typed parameters. This module
loads it once, checks it, and resolves the parameters for one notebook run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from lifetools import config
from lifetools.errors import ParameterError

__all__ = [
    "PARAMETER_TYPES",
    "Analysis",
    "Edition",
    "Parameter",
    "Series",
    "coerce_parameter",
    "load_series",
]

PARAMETER_TYPES = ("str", "int", "float", "bool", "date", "list")
EDITION_PARAMETERS = ("period_start", "period_end")


@dataclass(frozen=True)
class Parameter:
    """One declared notebook parameter: its type, default and meaning."""

    name: str
    type: str
    default: Any
    description: str = ""
    choices: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Edition:
    """One edition of the series: a reporting period and its parameters."""

    id: str
    title: str
    period_start: str
    period_end: str
    changes: str = ""
    parameters: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Analysis:
    """One report: a notebook, its title and its declared parameters."""

    id: str
    notebook: str
    title: str
    summary: str
    editions: tuple[str, ...]
    parameters: Mapping[str, Parameter]

    def in_edition(self, edition_id: str) -> bool:
        """Tell whether this analysis belongs to the edition."""
        return "all" in self.editions or edition_id in self.editions


@dataclass(frozen=True)
class Series:
    """The whole report series as declared in the series file."""

    path: Path
    title: str
    description: str
    editions: tuple[Edition, ...]
    current_edition: str
    analyses: tuple[Analysis, ...]
    synthetic_people: int
    synthetic_seed: int

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

    def resolve_parameters(
        self,
        analysis: Analysis,
        edition: Edition,
        overrides: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Return the typed parameters for one run: defaults < edition < overrides.

        Raises
        ------
        ParameterError
            If an override names a parameter the analysis does not declare, or its
            value has the wrong type, before anything runs.
        """
        values = {name: p.default for name, p in analysis.parameters.items()}
        values["period_start"] = edition.period_start
        values["period_end"] = edition.period_end
        for name, value in edition.parameters.items():
            if name in analysis.parameters:
                values[name] = coerce_parameter(analysis.parameters[name], value)
        for name, value in (overrides or {}).items():
            if name in EDITION_PARAMETERS:
                values[name] = coerce_parameter(
                    Parameter(name, "date", None), value, where=analysis.id
                )
                continue
            if name not in analysis.parameters:
                known = ", ".join([*EDITION_PARAMETERS, *analysis.parameters])
                raise ParameterError(
                    f"analysis {analysis.id!r} has no parameter {name!r}",
                    hint=f"its parameters are: {known} "
                    f"(see `lifetools params {analysis.id}`)",
                )
            values[name] = coerce_parameter(
                analysis.parameters[name], value, where=analysis.id
            )
        return values


def _parse_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in {"true", "yes", "1", "on"}:
        return True
    if lowered in {"false", "no", "0", "off"}:
        return False
    raise ValueError(text)


def coerce_parameter(parameter: Parameter, value: Any, *, where: str = "") -> Any:
    """Convert ``value`` (often a command-line string) to the parameter's type."""
    kind = parameter.type
    try:
        if kind == "list":
            if isinstance(value, str):
                items = [v.strip() for v in value.split(",") if v.strip()]
            elif isinstance(value, Sequence):
                items = [str(v) for v in value]
            else:
                raise ValueError(value)
            result: Any = items
        elif kind == "bool":
            result = value if isinstance(value, bool) else _parse_bool(str(value))
        elif kind == "int":
            if isinstance(value, bool) or (
                isinstance(value, float) and not value.is_integer()
            ):
                raise ValueError(value)
            result = int(str(value).strip()) if isinstance(value, str) else int(value)
        elif kind == "float":
            if isinstance(value, bool):
                raise ValueError(value)
            result = float(value)
        elif kind == "date":
            text = value.isoformat() if isinstance(value, dt.date) else str(value)
            result = dt.date.fromisoformat(text.strip()).isoformat()
        else:
            result = str(value)
    except (TypeError, ValueError):
        place = f" of analysis {where!r}" if where else ""
        example = {"date": "2024-03-31", "list": "A06,A05", "bool": "true",
                   "int": "90", "float": "0.5"}.get(kind, "text")
        raise ParameterError(
            f"parameter {parameter.name!r}{place} must be of type {kind}: "
            f"got {value!r}",
            hint=f"for example `-p {parameter.name} {example}`",
        ) from None
    if parameter.choices and result not in parameter.choices:
        raise ParameterError(
            f"parameter {parameter.name!r} must be one of "
            f"{', '.join(map(str, parameter.choices))}: got {result!r}"
        )
    return result


_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["series", "editions", "analyses"],
    "additionalProperties": False,
    "properties": {
        "series": {
            "type": "object",
            "required": ["title"],
            "properties": {
                "title": {"type": "string"},
                "description": {"type": "string"},
                "current_edition": {"type": "string"},
            },
            "additionalProperties": False,
        },
        "data": {
            "type": "object",
            "properties": {
                "synthetic": {
                    "type": "object",
                    "properties": {
                        "people": {"type": "integer", "minimum": 100},
                        "seed": {"type": "integer", "minimum": 0},
                    },
                    "additionalProperties": False,
                }
            },
            "additionalProperties": False,
        },
        # wording of the published pages: read by lifetools.pipeline.pages, not here
        "publication": {"type": "object"},
        "editions": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "period_start", "period_end"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]*$"},
                    "title": {"type": "string"},
                    "period_start": {"type": "string", "format": "date"},
                    "period_end": {"type": "string", "format": "date"},
                    "changes": {"type": "string"},
                    "parameters": {"type": "object"},
                },
            },
        },
        "analyses": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "notebook", "title"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
                    "notebook": {"type": "string", "pattern": r"^[^/\\]+\.ipynb$"},
                    "title": {"type": "string"},
                    "summary": {"type": "string"},
                    "editions": {
                        "oneOf": [
                            {"const": "all"},
                            {"type": "array", "items": {"type": "string"}},
                        ]
                    },
                    "parameters": {
                        "type": "object",
                        "additionalProperties": {
                            "type": "object",
                            "required": ["type", "default"],
                            "additionalProperties": False,
                            "properties": {
                                "type": {"enum": list(PARAMETER_TYPES)},
                                "default": {},
                                "description": {"type": "string"},
                                "choices": {"type": "array"},
                            },
                        },
                    },
                },
            },
        },
    },
}


def _check_schema(raw: Any, path: Path) -> None:
    import jsonschema

    validator = jsonschema.Draft202012Validator(_SCHEMA)
    errors = sorted(validator.iter_errors(raw), key=lambda e: list(e.absolute_path))
    if errors:
        lines = [
            f"  at {'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
            for e in errors[:10]
        ]
        raise ParameterError(
            f"{path}: the series file is not valid\n" + "\n".join(lines),
            hint="see book/howto/add-an-analysis.md for the series file's keys",
        )


def _build_analysis(raw: Mapping[str, Any], edition_ids: set[str], path: Path):
    parameters = {}
    for name, spec in (raw.get("parameters") or {}).items():
        parameter = Parameter(
            name=name,
            type=spec["type"],
            default=None,
            description=spec.get("description", ""),
            choices=tuple(spec.get("choices", ())),
        )
        default = coerce_parameter(parameter, spec["default"], where=raw["id"])
        parameters[name] = Parameter(
            name, spec["type"], default, parameter.description, parameter.choices
        )
    editions = raw.get("editions", "all")
    editions = ("all",) if editions == "all" else tuple(editions)
    unknown = [e for e in editions if e != "all" and e not in edition_ids]
    if unknown:
        raise ParameterError(
            f"{path}: analysis {raw['id']!r} names unknown edition(s) {unknown}"
        )
    return Analysis(
        id=raw["id"],
        notebook=raw["notebook"],
        title=raw["title"],
        summary=raw.get("summary", ""),
        editions=editions,
        parameters=parameters,
    )


def load_series(path: Path | None = None) -> Series:
    """Load and check the series file (default ``analyses/analyses.yml``).

    Raises
    ------
    ParameterError
        If the file is missing, not YAML, breaks the schema, or is inconsistent
        (duplicate ids, unknown editions, a period that ends before it starts).
    """
    path = Path(path) if path else config.project_root() / config.SERIES_FILE
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ParameterError(f"{path}: the series file does not exist") from None
    except yaml.YAMLError as exc:
        raise ParameterError(f"{path}: the series file is not valid YAML: {exc}") from None
    _check_schema(raw, path)
    editions = []
    for item in raw["editions"]:
        edition = Edition(
            id=item["id"],
            title=item.get("title", f"{item['id']} edition"),
            period_start=dt.date.fromisoformat(item["period_start"]).isoformat(),
            period_end=dt.date.fromisoformat(item["period_end"]).isoformat(),
            changes=item.get("changes", ""),
            parameters=dict(item.get("parameters") or {}),
        )
        if edition.period_end <= edition.period_start:
            raise ParameterError(
                f"{path}: edition {edition.id!r} ends before it starts"
            )
        editions.append(edition)
    ids = [e.id for e in editions]
    analyses = [_build_analysis(a, set(ids), path) for a in raw["analyses"]]
    for kind, values in (("edition", ids), ("analysis", [a.id for a in analyses])):
        duplicates = sorted({v for v in values if values.count(v) > 1})
        if duplicates:
            raise ParameterError(f"{path}: duplicate {kind} id(s) {duplicates}")
    current = raw["series"].get("current_edition", ids[-1])
    if current not in ids:
        raise ParameterError(f"{path}: current_edition {current!r} is not declared")
    synthetic = (raw.get("data") or {}).get("synthetic") or {}
    return Series(
        path=path,
        title=raw["series"]["title"],
        description=raw["series"].get("description", ""),
        editions=tuple(editions),
        current_edition=current,
        analyses=tuple(analyses),
        synthetic_people=int(synthetic.get("people", 30000)),
        synthetic_seed=int(synthetic.get("seed", 20250331)),
    )
