"""Compare the discharge and re-referral report outputs of two lifetools versions.

Run once per version (e.g. before and after a change of Cox backend), then compare:

    PYTHONPATH=<old worktree>/src python benchmarks/compare_reports.py save before.pkl
    PYTHONPATH=src python benchmarks/compare_reports.py save after.pkl
    python benchmarks/compare_reports.py compare before.pkl after.pkl

``save`` fits both reports on ``generate_dataset(--people, --seed)`` (in memory) for
both editions of ``analyses/analyses.yml`` and a three-year period, and keeps what is
published (the hazard-ratio tables as ``table_estimates`` shows them, the PH tables,
the key results) and the model summaries. ``compare`` says whether the published tables
and key-result texts are identical, whether ``results.json`` (values rounded to 10
decimals) would be, and the largest unrounded absolute difference. No person-level data
are kept.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

PERIODS = {"2023-24": ("2023-04-01", "2024-03-31"), "2024-25": ("2024-04-01", "2025-03-31"),
           "2022-25": ("2022-04-01", "2025-03-31")}


def save(out: Path, people: int, seed: int) -> None:
    import lifetools as lt
    from lifetools.synthetic import generate_dataset

    data = generate_dataset(people, seed)
    kept = {}
    for name, (start, end) in PERIODS.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            d = lt.reports.analyse_discharge(data, period_start=start, period_end=end)
            r = lt.reports.analyse_rereferral(data, period_start=start, period_end=end)
        models = {"time-varying": d.time_varying, "naive": d.naive,
                  "landmark": d.landmark.cox, "time split": d.time_split,
                  "re-referral": r.cox}
        kept[name] = {
            "published": {
                "discharge hazard ratios": lt.tables.table_estimates(
                    d.released, label="hazard ratio", keep=["model"]),
                "re-referral hazard ratios": lt.tables.table_estimates(
                    r.released, label="hazard ratio"),
                "discharge PH test": d.ph_test, "re-referral PH test": r.ph_test},
            "unrounded": {"discharge hazard ratios": d.hazard_ratios,
                          "re-referral hazard ratios": r.hazard_ratios},
            "key_results": [dict(k) for k in (*d.key_results, *r.key_results)],
            "summaries": {k: m.summary for k, m in models.items() if m is not None},
            "backends": {k: m.method.get("backend") for k, m in models.items()
                         if m is not None and m.method.get("backend")},
        }
        print(name, kept[name]["backends"], file=sys.stderr)
    out.write_bytes(pickle.dumps(kept))


def _numbers(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])
            and not pd.api.types.is_bool_dtype(frame[c])]


def _max_diff(a: pd.DataFrame, b: pd.DataFrame) -> tuple[float, int]:
    """Largest absolute difference where both are numbers; cells NaN in only one."""
    worst, nan_moved = 0.0, 0
    for c in _numbers(a):
        u, v = a[c].to_numpy(float), b[c].to_numpy(float)
        both = ~np.isnan(u) & ~np.isnan(v)
        nan_moved += int((np.isnan(u) != np.isnan(v)).sum())
        if both.any():
            worst = max(worst, float(np.max(np.abs(u - v)[both])))
    return worst, nan_moved


def _round10(value):
    values = np.atleast_1d(np.asarray(value, dtype=float))
    return [None if np.isnan(v) else round(float(v), 10) for v in values]


def _forest_png(kept: dict) -> bytes:
    """The discharge report's forest plot, rendered as the notebook publishes it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import lifetools as lt
    from lifetools.publication import render_png
    from lifetools.reports.discharge import TERM_LABELS

    ratios = kept["unrounded"]["discharge hazard ratios"]
    terms = [TERM_LABELS[t] for t in ("exposed", "ever_used", "exposed_at_landmark")]
    ax = lt.plots.plot_forest(ratios[ratios["term"].isin(terms)], label_col="model")
    png = render_png(ax.figure)
    plt.close("all")
    return png


def compare(before: Path, after: Path) -> int:
    a, b = pickle.loads(before.read_bytes()), pickle.loads(after.read_bytes())
    same_all = True
    for period in a:
        print(f"## {period}: backends {a[period]['backends']} -> {b[period]['backends']}")
        for name, x in a[period]["published"].items():
            y = b[period]["published"][name]
            text = [c for c in x.columns if c not in _numbers(x)]
            same = (x[text].equals(y[text]) and x[_numbers(x)].round(2).equals(
                y[_numbers(y)].round(2)))
            raw = a[period]["unrounded"].get(name)
            worst, moved = _max_diff(*((raw, b[period]["unrounded"][name]) if raw is not None
                                       else (x, y)))
            same_all &= same
            print(f"- {name}: identical as published (2 dp) {same}; max abs diff "
                  f"unrounded {worst:.2g}" + (f"; {moved} cells NaN in one only" if moved
                                               else ""))
        pairs = list(zip(a[period]["key_results"], b[period]["key_results"], strict=True))
        texts = all(p.get("text") == q.get("text") for p, q in pairs)
        shown = all(f"{p['value']:.2f}" == f"{q['value']:.2f}" for p, q in pairs
                    if p.get("kind") == "ratio" and p["value"] is not None)
        numeric = [(p, q) for p, q in pairs if p["value"] is not None
                   and p.get("kind") in ("ratio", "text")]
        stored = all(_round10(p["value"]) == _round10(q["value"]) for p, q in numeric)
        worst = max([float(np.nanmax(np.abs(np.asarray(p["value"], float)
                                            - np.asarray(q["value"], float))))
                     for p, q in numeric
                     if not np.all(np.isnan(np.asarray(p["value"], float)))] or [0.0])
        same_all &= texts and shown
        print(f"- key results: texts and 2 dp identical {texts and shown}; results.json "
              f"(10 dp) identical {stored}; max abs diff {worst:.2g}")
        for model, x in a[period]["summaries"].items():
            y = b[period]["summaries"].get(model)
            if y is None:
                continue
            worst, moved = _max_diff(x[x["estimable"]], y[x["estimable"]])
            print(f"  - model {model}: max abs diff over terms estimable before "
                  f"{worst:.2g}; estimable flags same {x['estimable'].equals(y['estimable'])}"
                  + (f"; {moved} cells NaN in one only" if moved else ""))
        same_png = _forest_png(a[period]) == _forest_png(b[period])
        print(f"- forest plot PNG bytes identical {same_png}")
    print(f"\nEverything published identical at 2 dp: {same_all}")
    return 0 if same_all else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("save")
    s.add_argument("out", type=Path)
    s.add_argument("--people", type=int, default=15_000)
    s.add_argument("--seed", type=int, default=20250331)
    c = sub.add_parser("compare")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "save":
        save(args.out, args.people, args.seed)
        return 0
    return compare(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
