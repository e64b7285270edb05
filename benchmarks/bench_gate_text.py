"""The publish gate's reading of a page's text: a text and the same text four times over,
read side by side in one run (issue 11).

The gate reads every count of people in every published text
(:func:`lifetools.pipeline.gate.rules.counted_findings`), and for each count whether a
word for all or none of the group stands beside it. Read over the whole text for each
count, the cost grew with the square of a page's length (a 180,000-character page took
29 s); read in a window either side, it grows with the length. Reported as CPU seconds
(median of ``--repeats``, the two sizes alternating) and the ratio large / small: about
4 when the cost is linear in the text, about 16 when it is quadratic. Not a timed test:
run by hand::

    .venv/bin/python benchmarks/bench_gate_text.py --sentences 2000 --repeats 5 \\
        --out benchmarks/results/gate-text
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from steps import write_results  # noqa: E402

# sentences as a report page writes them: counts of people, bounds, years, shares
SENTENCES = (
    "In 2024-25, 1,240 people used the Life Rooms and 35 of them were referred again.",
    "Fewer than 8 people in the group were admitted, so the share is not shown.",
    "Of all 605 people referred, 410 attended at least one session (67.8%).",
    "The hazard ratio was 0.82 (95% CI 0.71 to 0.95) in 3,120 person-years.",
)


def _cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime


def page(sentences: int) -> str:
    """A text of ``sentences`` sentences in paragraphs of four."""
    return "\n\n".join(" ".join(SENTENCES) for _ in range(max(sentences // 4, 1)))


def read(text: str) -> tuple[float, int]:
    """CPU seconds to read ``text`` as the gate does, and the number of findings."""
    from lifetools.pipeline.gate.rules import counted_findings

    start = _cpu()
    found = counted_findings(text)
    return _cpu() - start, len(found)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sentences", type=int, default=2000,
                        help="sentences in the small text (the large one has 4 times)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", default="benchmarks/results/gate-text")
    args = parser.parse_args(argv)
    small, large = page(args.sentences), page(4 * args.sentences)
    read(small)  # imports and compiled patterns, not measured
    seconds: dict[str, list[float]] = {"small": [], "large": []}
    findings = {}
    for _ in range(max(args.repeats, 1)):
        for name, text in (("small", small), ("large", large)):
            cpu, found = read(text)
            seconds[name].append(round(cpu, 4))
            findings[name] = found
    median = {name: statistics.median(values) for name, values in seconds.items()}
    ratio = round(median["large"] / median["small"], 2) if median["small"] else None
    data = {"characters": {"small": len(small), "large": len(large)},
            "cpu_seconds": seconds, "median": median, "ratio_large_to_small": ratio,
            "findings": findings}
    markdown = "\n".join([
        "| text | characters | CPU s (median) | findings |",
        "|---|---:|---:|---:|",
        *(f"| {name} | {len(text):,} | {median[name]:.3f} | {findings[name]} |"
          for name, text in (("small", small), ("large", large))),
        "",
        f"Ratio large / small: {ratio} (4 if linear in the text, 16 if quadratic).",
    ])
    write_results(args.out, data, markdown)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
