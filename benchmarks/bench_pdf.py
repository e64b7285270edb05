"""Printing an edition's report pages to PDF: one page at a time against
:data:`lifetools.pipeline.pdf.PRINTERS` at a time, side by side in one run (issue 11).

Every build prints each new report page twice with Debian's ``chromium`` (a PDF is
published only when two prints agree byte for byte), and the test suite builds the
series many times. A print is mostly Chromium starting and waiting, so printing
several pages at once shortens the phase without more CPU. The two ways alternate
``--repeats`` times over the same pages of a built site (``--site``: a ``public/site``
or ``public/current/site`` folder); reported as wall and CPU seconds (medians), the
ratio one-at-a-time / at-once, and whether both printed the same bytes. Not a timed
test: run by hand::

    .venv/bin/python benchmarks/bench_pdf.py --site public/current/site \\
        --edition 2024-25 --repeats 3 --out benchmarks/results/pdf-printing
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from steps import write_results  # noqa: E402


def _cpu() -> float:
    """CPU seconds of this process and its reaped children (the Chromium processes)."""
    me, kids = (resource.getrusage(resource.RUSAGE_SELF),
                resource.getrusage(resource.RUSAGE_CHILDREN))
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def printables(site: Path, edition: str) -> list[tuple[Path, str]]:
    """(page, printable HTML) for each report page of ``edition`` with a PDF beside it,
    made as a build makes them (scripts left out, the footer added)."""
    from lifetools.pipeline import pdf

    folder = site / "editions" / edition
    pages = sorted(p for p in folder.glob("*.html") if p.with_suffix(".pdf").exists())
    return [(page, pdf.SCRIPT.sub("", pdf._printable_links(page.read_text(), "")).replace(
        "</head>", pdf._footer_css("Benchmark footer") + "</head>", 1)) for page in pages]


def main(argv: list[str] | None = None) -> int:
    from lifetools.pipeline import pdf

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", required=True, type=Path)
    parser.add_argument("--edition", required=True)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", default="benchmarks/results/pdf-printing")
    args = parser.parse_args(argv)
    executable = pdf.chromium()
    if executable is None:
        print("chromium is not installed: nothing to measure", file=sys.stderr)
        return 1
    # print in a copy: a print writes its PDF beside the page, and the site stays as built
    scratch = Path(tempfile.mkdtemp(prefix="bench-pdf-"))
    shutil.copytree(args.site.resolve(), scratch / "site", symlinks=True)
    pages = printables(scratch / "site", args.edition)
    if not pages:
        print(f"no report page with a PDF in {args.site}/editions/{args.edition}",
              file=sys.stderr)
        return 1
    when = dt.datetime(2025, 4, 1, tzinfo=dt.UTC)
    ways = {"one at a time": 1, f"{pdf.PRINTERS} at a time": pdf.PRINTERS}
    wall: dict[str, list[float]] = {name: [] for name in ways}
    cpu: dict[str, list[float]] = {name: [] for name in ways}
    printed: dict[str, list[bytes | None]] = {}
    saved = pdf.PRINTERS
    try:
        for _ in range(max(args.repeats, 1)):
            for name, printers in ways.items():
                pdf.PRINTERS = printers
                start, used = time.monotonic(), _cpu()
                printed[name] = pdf._print_pages(executable, pages, when)
                wall[name].append(round(time.monotonic() - start, 2))
                cpu[name].append(round(_cpu() - used, 2))
    finally:
        pdf.PRINTERS = saved
        shutil.rmtree(scratch, ignore_errors=True)
    median = {name: statistics.median(values) for name, values in wall.items()}
    median_cpu = {name: statistics.median(values) for name, values in cpu.items()}
    one, many = ways
    ratio = round(median[one] / median[many], 2) if median[many] else None
    same = len({tuple(p) for p in printed.values()}) == 1
    data = {"pages": len(pages), "edition": args.edition, "wall_seconds": wall,
            "cpu_seconds": cpu, "median_wall": median, "median_cpu": median_cpu,
            "ratio_one_to_many": ratio, "same_bytes": same,
            "agreed": {name: sum(p is not None for p in prints)
                       for name, prints in printed.items()}}
    markdown = "\n".join([
        "| printing | pages | wall s (median) | CPU s (median) |",
        "|---|---:|---:|---:|",
        *(f"| {name} | {len(pages)} | {median[name]:.1f} | {median_cpu[name]:.1f} |"
          for name in ways),
        "",
        f"Ratio one at a time / {pdf.PRINTERS} at a time: {ratio} (wall). "
        f"Same PDF bytes both ways: {'yes' if same else 'NO'}.",
    ])
    write_results(args.out, data, markdown)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
