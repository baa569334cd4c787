"""The figures of `make bench` (bench/run.py): what wrk measured, each target's medians over its rounds of
[static file, target], the median ratio to the static file and its range, the targets met or missed, the
table and the JSON. Pure: nothing here runs a process or opens a connection.
"""

import json
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench import mix

CONNECTIONS = (16, 64)  # the report's figures are at the first; errors are summed over all
BASE_CONNECTIONS = CONNECTIONS[0]
ERROR_KINDS = ("connect", "read", "write", "timeout", "status", "unexpected")


@dataclass(frozen=True)
class Measurement:
    requests: int
    duration_s: float
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    # By kind: connect, read, write, timeout, status (answers of 400 and above), unexpected (mix.lua only:
    # redirects no check-off waited for, other answers below 400 than 200, learners answered as visitors)
    errors: dict[str, int]
    counts: dict = field(default_factory=dict)  # mix.lua's counters: requests sent and answers, by kind

    @property
    def error_count(self) -> int:
        return sum(self.errors.get(kind, 0) for kind in ERROR_KINDS)


@dataclass(frozen=True)
class Round:
    """The static file and then the target, measured back to back at the base connection count."""

    static: Measurement
    page: Measurement

    @property
    def ratio(self) -> float | None:
        return self.page.rps / self.static.rps if self.static.rps > 0 else None


@dataclass(frozen=True)
class Series:
    """Everything measured of one target: its rounds, then one run at each further connection count."""

    rounds: list[Round]
    others: dict[int, Measurement] = field(default_factory=dict)  # by connection count
    warm_up: Measurement | None = None

    def measurements(self) -> list[Measurement]:
        """The target's own measurements, warm-up included (mix.lua's counters add up over them)."""
        warm_up = [self.warm_up] if self.warm_up else []
        return [*warm_up, *(one.page for one in self.rounds), *self.others.values()]


# ---------- Targets ----------


@dataclass(frozen=True)
class Goal:
    """What a row of the report must show at the base connection count; every row must also have no errors
    (at any connection count)."""

    min_ratio: float | None = None  # the median ratio to the static file, at least
    max_p99_ms: float | None = None  # the median p99, at most

    def misses(self, values: dict) -> list[str]:
        found = []
        if values["errors"]:
            found.append(f"{values['errors']} errors")
        ratio = values.get("ratio_to_static")
        if self.min_ratio is not None and (ratio is None or ratio < self.min_ratio):
            found.append(f"ratio {'-' if ratio is None else format(ratio, '.3f')} < {self.min_ratio:.2f}")
        if self.max_p99_ms is not None and values["p99_ms"] > self.max_p99_ms:
            found.append(f"p99 {values['p99_ms']:.1f} ms > {self.max_p99_ms:g} ms")
        return found

    def describe(self) -> str:
        parts = [f">={self.min_ratio:.2f}x"] if self.min_ratio is not None else []
        parts += [f"p99<={self.max_p99_ms:g}ms"] if self.max_p99_ms is not None else []
        return " ".join(parts) or "no errors"

    def as_json(self) -> dict:
        return {"min_ratio": self.min_ratio, "max_p99_ms": self.max_p99_ms, "max_errors": 0}


# The README's targets at 16 connections on the 2-core machine; rows not named here must have no errors.
GOALS = {
    "home": Goal(min_ratio=0.70),
    "track_anon": Goal(min_ratio=0.70),
    "topic": Goal(min_ratio=0.70),
    "track_learner": Goal(min_ratio=0.40, max_p99_ms=60),
    "mix": Goal(min_ratio=0.20, max_p99_ms=100),
}


# ---------- The report ----------


def figures(measurement: Measurement) -> dict:
    return {
        "rps": round(measurement.rps, 1),
        "p50_ms": round(measurement.p50_ms, 2),
        "p95_ms": round(measurement.p95_ms, 2),
        "p99_ms": round(measurement.p99_ms, 2),
        "errors": measurement.error_count,
    }


def median_figures(measurements: list[Measurement]) -> dict:
    """Each figure's median over the measurements (taken figure by figure), errors summed."""
    return {
        "rps": round(statistics.median(m.rps for m in measurements), 1),
        "p50_ms": round(statistics.median(m.p50_ms for m in measurements), 2),
        "p95_ms": round(statistics.median(m.p95_ms for m in measurements), 2),
        "p99_ms": round(statistics.median(m.p99_ms for m in measurements), 2),
        "errors": sum(m.error_count for m in measurements),
    }


def median_ratio(ratios: list[float | None]) -> tuple[float | None, float | None, float | None]:
    """(median, min, max) of the rounds' ratios, each rounded to 3 places; rounds whose static file measured
    nothing have no ratio, and no ratio at all gives (None, None, None)."""
    known = [ratio for ratio in ratios if ratio is not None]
    if not known:
        return None, None, None
    return tuple(round(value, 3) for value in (statistics.median(known), min(known), max(known)))  # type: ignore[return-value]


def others_figures(others: dict[int, Measurement]) -> dict:
    return {f"at_{connections}": figures(m) for connections, m in others.items()}


def entry(series: Series) -> dict:
    """A target's median figures over its rounds, errors summed over the rounds and every other connection
    count, the median ratio to the static file with its range and each round, and each other count's own."""
    values = median_figures([one.page for one in series.rounds])
    values["errors"] += sum(m.error_count for m in series.others.values())
    if series.warm_up is not None:
        # Not in the medians, but an error then is an error.
        values["errors"] += series.warm_up.error_count
        values["warm_up"] = figures(series.warm_up) | {"seconds": round(series.warm_up.duration_s, 1)}
    middle, lowest, highest = median_ratio([one.ratio for one in series.rounds])
    values |= {"ratio_to_static": middle, "ratio_min": lowest, "ratio_max": highest}
    values["rounds"] = [
        {
            "static_rps": round(one.static.rps, 1),
            "rps": round(one.page.rps, 1),
            "p99_ms": round(one.page.p99_ms, 2),
            "errors": one.page.error_count,
            "ratio": None if one.ratio is None else round(one.ratio, 3),
        }
        for one in series.rounds
    ]
    return values | others_figures(series.others)


def static_entry(rounds: list[Measurement], others: dict[int, Measurement]) -> dict:
    """The static file's median figures over every round of every target, with the range of its rps."""
    values = median_figures(rounds)
    values["errors"] += sum(m.error_count for m in others.values())
    values |= {
        "rps_min": round(min(m.rps for m in rounds), 1),
        "rps_max": round(max(m.rps for m in rounds), 1),
        "measurements": len(rounds),
    }
    return values | others_figures(others)


def judged(name: str, values: dict, mix_run: dict | None = None) -> dict:
    """The row with its target, its verdict (PASS or FAIL) and what it missed; a mix row also misses when its
    check-offs were answered and stored no row."""
    goal = GOALS.get(name, Goal())
    misses = goal.misses(values)
    if mix_run is not None and stored_nothing(mix_run):
        misses.append("check-offs stored no rows")
    return values | {"target": goal.as_json(), "verdict": "FAIL" if misses else "PASS", "missed": misses}


def build_report(
    scale: float,
    static_others: dict[int, Measurement],
    pages: dict[str, Series],
    mix_runs: dict[str, dict] | None = None,
    **metadata,
) -> dict:
    """{"scale", "static": {...}, "pages": {name: {...}}, "verdict", "missed"} plus any metadata keys. Every
    row has its target, its verdict and what it missed; `mix_runs` (mix_run() by name) judge the mix rows'
    check-offs too."""
    mix_runs = mix_runs or {}
    static_rounds = [one.static for series in pages.values() for one in series.rounds]
    rows = {name: judged(name, entry(series), mix_runs.get(name)) for name, series in pages.items()}
    static = judged("static", static_entry(static_rounds, static_others))
    missed = {name: row["missed"] for name, row in {"static": static, **rows}.items() if row["missed"]}
    report = {
        "scale": int(scale) if float(scale).is_integer() else scale,
        "static": static,
        "pages": rows,
        "verdict": "FAIL" if missed else "PASS",
        "missed": missed,
    }
    return report | metadata


def format_table(report: dict) -> str:
    """One row per target: the median figures at the base connection count, the median ratio to the static
    file and the range of the rounds' ratios, the rps at the most connections, the target and the verdict."""
    most = f"at_{CONNECTIONS[-1]}"
    header = ("name", "rps", "p50 ms", "p99 ms", "errors", "vs static", "range", f"rps@{CONNECTIONS[-1]}")
    lines = ["{:<14}{:>9}{:>9}{:>9}{:>7}{:>10}{:>13}{:>9}  {}".format(*header, "target")]
    for name, values in [("static", report["static"]), *report["pages"].items()]:
        middle = values.get("ratio_to_static")
        spread = ""
        if values.get("ratio_min") is not None:
            spread = f"{values['ratio_min']:.3f}-{values['ratio_max']:.3f}"
        lines.append(
            f"{name:<14}{values['rps']:>9.1f}{values['p50_ms']:>9.2f}{values['p99_ms']:>9.2f}"
            f"{values['errors']:>7}{'' if middle is None else format(middle, '.3f'):>10}{spread:>13}"
            f"{values[most]['rps'] if most in values else '':>9}  "
            f"{GOALS.get(name, Goal()).describe():<20}{values['verdict']}"
        )
    return "\n".join(lines)


def format_notes(report: dict) -> str:
    """What the table's columns are, the static file's own spread, the mix's counters and the verdict."""
    static = report["static"]
    levels = " and ".join(map(str, report.get("connections", CONNECTIONS)))
    lines = [
        f"Medians of {report.get('rounds', '?')} rounds at {BASE_CONNECTIONS} connections, each round the "
        f"static file then the target, {report.get('duration_s', '?')} s each. vs static: the median of the "
        f"rounds' ratios (target rps / that round's static rps); range: their lowest and highest. Errors "
        f"summed over {levels} connections.",
        f"The static file: {static['rps_min']}-{static['rps_max']} rps over {static['measurements']} "
        f"rounds; {report.get('workers', '?')} gunicorn workers on {report.get('cpu_count', '?')} CPUs.",
    ]
    if mix_text := format_mix(report):
        lines.append(mix_text)
    rows = len(report["pages"]) + 1
    verdict = f"Targets: {rows - len(report['missed'])} of {rows} rows met"
    if report["missed"]:
        verdict += "; missed: " + "; ".join(
            f"{name}: {', '.join(misses)}" for name, misses in report["missed"].items()
        )
    return "\n".join([*lines, verdict])


def format_mix(report: dict) -> str:
    """What the mix sent and got, and whether its check-offs stored rows."""
    details = report.get("mix")
    if not details:
        return ""
    groups = ", ".join(f"{group} {weight}" for group, weight in details["weight_groups"].items())
    lines = [
        f"mix: {details['learners']} learners logged in, {details['topics']} topics, "
        f"{details['resources']} resources, {details['resource_lists']} lists, {details['searches']} "
        f"searches; weights per action: {groups} (a check-off is two requests)."
    ]
    static_rps = report["static"]["rps"]
    for name, run in details["runs"].items():
        if warm := report["pages"].get(name, {}).get("warm_up"):
            share = f"{warm['rps'] / static_rps:.3f}" if static_rps else "-"
            lines.append(
                f"{name}, its first {warm['seconds']:g} s (cold, before the rounds, not in their medians): "
                f"{warm['rps']} rps, {share} of the static file's median, p99 {warm['p99_ms']} ms, "
                f"{warm['errors']} errors."
            )
        sent, answered = run["sent"], run["answered"]
        lines.append(
            f"{name}: {sum(sent.values())} requests sent ({sent.get('checkoff', 0)} check-offs, "
            f"{sent.get('followup', 0)} track pages after them); answered {answered.get('learner', 0)} "
            f"learners' pages, {answered.get('visitor', 0)} visitors' pages, {answered.get('checkoff', 0)} "
            f"check-off redirects; progress rows {run['progress_rows_before']} -> "
            f"{run['progress_rows_after']} (+{run['progress_rows_added']})."
        )
    return "\n".join(lines)


def mix_run(series: Series, rows_before: int, rows_after: int) -> dict:
    """A mix series' counters over all its runs (warm-up included) and the rows its check-offs stored."""
    counts = mix.summed_counts(m.counts for m in series.measurements())
    return {
        "sent": counts.get("sent", {}),
        "answered": counts.get("answered", {}),
        "progress_rows_before": rows_before,
        "progress_rows_after": rows_after,
        "progress_rows_added": rows_after - rows_before,
    }


def stored_nothing(run: dict) -> bool:
    """Check-offs answered, yet no row was added."""
    return run["answered"].get("checkoff", 0) > 0 and run["progress_rows_added"] <= 0


def log_summary(log_path: Path) -> str:
    """What the server logged: answers by status class, and the lines that were warnings or errors."""
    statuses: Counter[str] = Counter()
    troubles = []
    with log_path.open(errors="replace") as log:
        lines = [line.rstrip("\n") for line in log]
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            record = None
        if isinstance(record, dict) and "status" in record:
            statuses[f"{record['status'] // 100}xx"] += 1
        if isinstance(record, dict):
            warned = record.get("level") in {"WARNING", "ERROR", "CRITICAL"}
        else:  # gunicorn's own lines, and anything printed
            warned = any(mark in line for mark in ("[WARNING]", "[ERROR]", "[CRITICAL]", "Traceback"))
        if warned:
            troubles.append(line)
    counts = ", ".join(f"{count} × {status}" for status, count in sorted(statuses.items())) or "no requests"
    shown = "".join(f"\n    {line[:300]}" for line in troubles[:5])
    return f"answers logged: {counts}; warnings and errors: {len(troubles)}{shown}"
