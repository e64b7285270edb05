"""The data dictionary's pages: one Markdown page per table and an index, from the specs.

Written into the book's staging folder at every build (:func:`lifetools.pipeline.book.
assemble_book`), so the pages cannot drift from the dictionary that validates the data.
The specs come from :mod:`lifetools.dictionary`, which stays on the data's load path
with only what loading and validation need; the words of the pages are made here, on the
publishing side. A number is written with the one sign rule (:func:`lifetools.signs.
fixed`: the minus sign U+2212) and a range of numbers in words ("1 to 5").
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from lifetools.dictionary import EXTRACT_DATE, Dictionary, FieldSpec, load_dictionary
from lifetools.signs import fixed

__all__ = ["render_dictionary_pages"]


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _source(text: str) -> str:
    """A source field as the page shows it: its name as code, so that a long one
    ("EC_Discharge_Status_SNOMED_CT") wraps inside a table cell (``lifetools.css``), and
    any words around it ("derived from", "(year only)") as text."""
    found = re.match(r"^((?:derived from )?)([^\s(`]+)(.*)$", text)
    return _cell(text if found is None else
                 f"{found.group(1)}`{found.group(2)}`{found.group(3)}")


_RANGE = re.compile(r"(?<![\w.`-])(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)(?![\w`-]|\.\d)")
"""A range of numbers in prose ("1-5", "0-48"), not a date ("2020-01-01") or a code."""


def _prose(text: Any) -> str:
    """Dictionary prose as a page shows it: a range of numbers in words ("1 to 5").

    A hyphen between two numbers reads as a minus sign (STYLE: the minus sign is
    U+2212 on pages); dates, codes in backticks and words joined by a hyphen are kept.
    """
    parts = re.split(r"(`[^`]*`)", str(text))  # code spans (odd parts) kept as written
    return "".join(part if i % 2 else _RANGE.sub(r"\1 to \2", part)
                   for i, part in enumerate(parts))


def _bound(value: Any) -> str:
    """A limit of a field's values: a number through the one formatter's sign
    (:func:`lifetools.signs.fixed`: "−5"), a date or the extract date as is."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value).replace(EXTRACT_DATE, "the extract date")
    places = 0 if isinstance(value, int) or float(value).is_integer() else \
        len(repr(float(value)).split(".")[1])
    return fixed(float(value), places).replace(",", "")


def _allowed(spec: FieldSpec) -> str:
    parts = []
    if spec.enum is not None:
        parts.append(", ".join(
            f"`{v}` {spec.labels[str(v)]}" if str(v) in spec.labels else f"`{v}`"
            for v in spec.enum))
    elif spec.labels:
        parts.append("e.g. " + ", ".join(f"`{k}` {v}" for k, v in spec.labels.items()))
    if spec.pattern:
        parts.append(f"pattern `{spec.pattern}`")
    if spec.minimum is not None and spec.maximum is not None:
        parts.append(f"from {_bound(spec.minimum)} to {_bound(spec.maximum)}")
    elif spec.minimum is not None:
        parts.append(f"at least {_bound(spec.minimum)}")
    elif spec.maximum is not None:
        parts.append(f"at most {_bound(spec.maximum)}")
    if spec.plausible:
        parts.append(f"plausible from {_bound(spec.plausible[0])} to "
                     f"{_bound(spec.plausible[1])}")
    if spec.groups:
        parts.append("groups: " + "; ".join(f"{k} = {', '.join(v)}"
                                             for k, v in spec.groups.items()))
    return _cell("; ".join(parts))


def render_dictionary_pages(out_dir: Path, dictionary: Dictionary | None = None) -> list[Path]:
    """Write one Markdown page per table plus an index page; return their paths."""
    dictionary = dictionary or load_dictionary()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    index = ["# Data dictionary", "",
             f"Version {dictionary.version}. Generated from `data_dictionary/` at every "
             "build, so these pages cannot drift from the code that validates the data.",
             "Identifier and quasi-identifier fields are never published.", "",
             "| table | one row per | fields |", "|---|---|---|"]
    for table in dictionary.tables.values():
        index.append(f"| {{doc}}`{table.title} <{table.name}>` | "
                     f"{_cell(_prose(table.description.split('.')[0]))} | "
                     f"{len(table.fields)} |")
        lines = [f"# {table.title}", "",
                 f"Table `{table.name}`. {_prose(table.description)}", ""]
        if table.primary_key:
            lines.append(f"Primary key: `{', '.join(table.primary_key)}`.")
        for key in table.foreign_keys:
            lines.append(f"Foreign key: `{', '.join(key['fields'])}` refers to "
                         f"`{key['reference']['resource']}`.")
        for rule in table.rules:
            lines.append(f"Rule `{rule['rule']}`: {_prose(rule.get('description', ''))}")
        lines += ["", "| field | type | required | allowed values | sensitivity | "
                  "source field | description |", "|---|---|---|---|---|---|---|"]
        for spec in table.fields:
            lines.append(
                f"| `{spec.name}` | {spec.type} | {'yes' if spec.required else 'no'} | "
                f"{_allowed(spec)} | {spec.sensitivity} | {_source(spec.source or '')} | "
                f"{_cell(_prose(spec.description))} |")
        page = out_dir / f"{table.name}.md"
        page.write_text("\n".join(lines) + "\n")
        written.append(page)
    index += ["", "Cross-table rules:", ""]
    index += [f"- `{r['rule']}` on `{r['table']}.{r['field']}`: "
              f"{_prose(r.get('description', ''))}"
              for r in dictionary.cross_table_rules]
    (out_dir / "index.md").write_text("\n".join(index) + "\n")
    return [out_dir / "index.md", *written]
