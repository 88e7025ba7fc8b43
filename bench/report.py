"""Turning worker timings into the result document, the terminal table, targets and the chart.

    .venv/bin/python bench/report.py bench/results/full.json             # the table again
    .venv/bin/python bench/report.py --markdown bench/results/full.json  # for docs/performance.md
    .venv/bin/python bench/report.py --chart docs/bench.png bench/results/full.json
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import targets as issue_targets
from common import summarize

GS_MEM, GS_FILE, GS_NEO = "graphstore sqlite-mem", "graphstore sqlite-file", "graphstore neo4j"
MLMD_FAKE, MLMD_FILE = "MLMD fake_database", "MLMD sqlite-file"
SYSTEM_ORDER = [GS_MEM, GS_FILE, GS_NEO, MLMD_FAKE, MLMD_FILE, issue_targets.EVENTS_WALK,
                issue_targets.CAPPED, "raw sqlite3 (mem)", "raw sqlite3 (file)", "raw neo4j driver"]
# which graphstore run each row is compared with
REFERENCE = {MLMD_FAKE: GS_MEM, MLMD_FILE: GS_FILE, "raw sqlite3 (mem)": GS_MEM,
             "raw sqlite3 (file)": GS_FILE, "raw neo4j driver": GS_NEO,
             GS_MEM: GS_MEM, GS_FILE: GS_MEM, GS_NEO: GS_MEM,
             issue_targets.EVENTS_WALK: GS_FILE, issue_targets.CAPPED: GS_FILE}
ALL_NODES = "all nodes (get_lineage_subgraph)"
ONE_CALL = "one get_lineage_subgraph call (100-hop cap)"
EVENTS_WALK = "all nodes (events-API walk)"
_SUFFIX_ORDER = [ALL_NODES, EVENTS_WALK, ONE_CALL, "first page of 100 (upstream)",
                 "first page of 100 (downstream)", "all nodes with paths (upstream)", "impact() report"]


def _prefix(case: str) -> str:
    return case.split(": ", 1)[0]


def _find(cases: Iterable[dict[str, Any]], workload: str, case: str, system: str) -> dict[str, Any] | None:
    for c in cases:
        if c["workload"] == workload and c["case"] == case and c["system"] == system:
            return c
    return None


def _reference(cases: list[dict[str, Any]], c: dict[str, Any]) -> dict[str, Any] | None:
    ref_system = REFERENCE.get(c["system"])
    if c["workload"] == "W7" and c["system"] in (GS_FILE, MLMD_FILE):
        ref_system = GS_FILE  # W7 has no SQLite-in-memory rows
    if ref_system is None:
        return None
    ref = _find(cases, c["workload"], c["case"], ref_system)
    if ref is None and c["workload"] in ("W3", "W4"):
        # MLMD-only cases (one capped call, the events walk) compare with graphstore's full answer
        ref = _find(cases, c["workload"], f"{_prefix(c['case'])}: {ALL_NODES}", ref_system)
    return ref


def build(raw_cases: list[dict[str, Any]], meta: dict[str, Any]) -> dict[str, Any]:
    cases = []
    skipped = []
    for c in raw_cases:
        if not c["times"]:
            skipped.append({k: c[k] for k in ("workload", "case", "system", "note")})
            continue
        cases.append({**c, **summarize(c["times"])})
    for c in cases:
        ref = _reference(cases, c)
        c["reference"] = ref["system"] if ref else None
        c["ratio"] = c["median"] / ref["median"] if ref and ref["median"] else None
        c["per_second"] = c["items"] / c["median"] if c.get("items") and c["median"] else None
    _flag_mismatches(cases)
    order_cases(cases)
    return {"meta": meta, "cases": cases, "skipped": skipped, "targets": targets(cases),
            "targets_issue15": issue_targets.issue15(cases)}


def order_cases(cases: list[dict[str, Any]]) -> None:
    """Workload by workload, case by case (W3/W4: by chain or DAG, MLMD's variants next to the
    shared case), systems in a fixed order."""
    order = {s: i for i, s in enumerate(SYSTEM_ORDER)}
    workloads = {w: i for i, w in enumerate(sorted({c["workload"] for c in cases}))}
    first_seen: dict[tuple[str, str], int] = {}
    for i, c in enumerate(cases):
        first_seen.setdefault((c["workload"], c["case"]), i)
    prefix_seen: dict[tuple[str, str], int] = {}
    for i, c in enumerate(cases):
        prefix_seen.setdefault((c["workload"], _prefix(c["case"])), i)

    def case_key(c: dict[str, Any]) -> tuple[int, ...]:
        if c["workload"] in ("W3", "W4"):  # group by chain / DAG, MLMD's variants next to ours
            suffix = c["case"].split(": ", 1)[-1]
            rank = _SUFFIX_ORDER.index(suffix) if suffix in _SUFFIX_ORDER else len(_SUFFIX_ORDER)
            return (prefix_seen[(c["workload"], _prefix(c["case"]))], rank)
        return (first_seen[(c["workload"], c["case"])],)
    cases.sort(key=lambda c: (workloads[c["workload"]], *case_key(c), order.get(c["system"], 99)))


def _flag_mismatches(cases: list[dict[str, Any]]) -> None:
    """Every system must find the same number of things (a capped MLMD call excepted)."""
    groups: dict[tuple[str, str], set[Any]] = {}
    for c in cases:
        if c["check"] is None or c["case"].endswith(ONE_CALL):
            continue
        key = (c["workload"], _prefix(c["case"]) if c["workload"] in ("W3", "W4") else c["case"])
        groups.setdefault(key, set()).add(c["check"])
    for c in cases:
        key = (c["workload"], _prefix(c["case"]) if c["workload"] in ("W3", "W4") else c["case"])
        c["check_ok"] = (c["check"] is None or c["case"].endswith(ONE_CALL)
                         or len(groups.get(key, ())) <= 1)


# -- targets --------------------------------------------------------------------------------------

def _target(name: str, detail: str, value: float | None, threshold: float, higher_is_better: bool,
            unit: str) -> dict[str, Any]:
    met = None if value is None else (value >= threshold if higher_is_better else value <= threshold)
    return {"target": name, "detail": detail, "value": value, "threshold": threshold,
            "higher_is_better": higher_is_better, "unit": unit, "met": met}


def targets(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    # W3/W4: >= 10x faster than MLMD's full walk, each graphstore engine
    for w in ("W3", "W4"):
        labels = []
        for c in cases:
            if c["workload"] == w and c["case"].endswith(ALL_NODES) and _prefix(c["case"]) not in labels:
                labels.append(_prefix(c["case"]))
        for label in labels:
            full = f"{label}: {ALL_NODES}"
            fake, file = _find(cases, w, full, MLMD_FAKE), _find(cases, w, full, MLMD_FILE)
            if not (fake or file):
                continue
            best = min((m for m in (fake, file) if m), key=lambda m: m["median"])
            for gs_sys, mlmd in ((GS_MEM, fake), (GS_FILE, file), (GS_NEO, best)):
                gs = _find(cases, w, full, gs_sys)
                if gs is None or mlmd is None:
                    continue
                out.append(_target(f"{w} >= 10x faster than MLMD's full walk",
                                   f"{label}: {gs_sys} vs {mlmd['system']}",
                                   mlmd["median"] / gs["median"], 10.0, True, "x faster"))
    # W1, W5: no slower than MLMD on SQLite
    for w in ("W1", "W5"):
        for c in cases:
            if c["workload"] != w or c["system"] not in (GS_FILE, GS_MEM):
                continue
            mlmd = _find(cases, w, c["case"], MLMD_FILE if c["system"] == GS_FILE else MLMD_FAKE)
            if mlmd:
                out.append(_target(f"{w} no slower than MLMD on SQLite",
                                   f"{c['case']}: {c['system']} vs {mlmd['system']}",
                                   c["median"] / mlmd["median"], 1.0, False, "x MLMD's time"))
    # W2: per call within 2x of MLMD on SQLite (embedded engine); batch >= 2,000 executions/s on Neo4j
    for c in cases:
        if c["workload"] != "W2":
            continue
        if c["case"].startswith("put_execution:") and c["system"] in (GS_FILE, GS_MEM):
            mlmd = _find(cases, "W2", c["case"], MLMD_FILE if c["system"] == GS_FILE else MLMD_FAKE)
            if mlmd:
                out.append(_target("W2 per call within 2x of MLMD on SQLite",
                                   f"{c['system']} {c['median'] / c['items'] * 1e3:.2f} ms/call vs "
                                   f"{mlmd['system']} {mlmd['median'] / mlmd['items'] * 1e3:.2f} ms/call",
                                   c["median"] / mlmd["median"], 2.0, False, "x MLMD's time"))
        if c["case"].startswith("put_lineage_subgraph") and c["system"] == GS_NEO:
            out.append(_target("W2 batch path >= 2,000 executions/s on Neo4j", c["case"],
                               c["per_second"], 2000.0, True, "executions/s"))
    # W6: within 1.3x of the raw statements
    for c in cases:
        if c["workload"] == "W6" and c["system"].startswith("raw"):
            gs = _find(cases, "W6", c["case"], REFERENCE[c["system"]])
            if gs:
                out.append(_target("W6 within 1.3x of the raw query", f"{c['case']}: {gs['system']}",
                                   gs["median"] / c["median"], 1.3, False, "x raw"))
    return out


# -- text -----------------------------------------------------------------------------------------

def fmt_time(seconds: float) -> str:
    if seconds >= 10:
        return f"{seconds:.1f} s"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 0.01:
        return f"{seconds * 1e3:.0f} ms"
    return f"{seconds * 1e3:.2f} ms"


def fmt_ratio(r: float | None) -> str:
    if r is None:
        return "-"
    return f"{r:.0f}x" if r >= 100 else f"{r:.1f}x" if r >= 10 else f"{r:.2f}x"


def table(result: dict[str, Any]) -> str:
    meta = result["meta"]
    lines = [f"graphstore bench — {meta['mode']} run {meta['timestamp']}, {meta['cpu_count']} CPUs "
             f"({meta['cpu']}), Python {meta['python']}, load {meta['load_average_at_start'][0]:.1f}",
             "ratio = this row's median / the matched graphstore row's (MLMD fake_database ~ sqlite-mem, "
             "MLMD sqlite-file ~ sqlite-file, raw ~ same engine, graphstore rows ~ sqlite-mem); "
             ">1 means graphstore is faster", ""]
    head = f"    {'system':24s} {'median':>10s} {'spread':>7s} {'ratio':>7s} {'check':>8s}  note"
    # spread: half the range of the runs, relative to the median (±)
    current = None
    for c in result["cases"]:
        key = (c["workload"], c["case"])
        if key != current:
            current = key
            lines += ["", f"{c['workload']}  {c['case']}", head]
        check = "" if c["check"] is None else str(c["check"]) + ("" if c["check_ok"] else " !")
        rate = (f"{c['per_second']:,.0f}/s; " if c["per_second"] and (
            c["workload"] in ("W1", "W2") or c["case"].endswith("build (bulk calls)")) else "")
        if c.get("peak_rss_mb") is not None:
            rate += f"peak RSS +{c['peak_rss_mb']:.0f} MB; "
        if (c.get("extra") or {}).get("size_bytes"):
            rate += f"store {c['extra']['size_bytes'] / 2**20:,.0f} MiB; "
        lines.append(f"    {c['system']:24s} {fmt_time(c['median']):>10s}   ±{c['spread'] * 50:3.0f}% "
                     f"{fmt_ratio(c['ratio']):>7s} {check:>8s}  {rate}{c['note']}")
    lines += ["", "Targets (issue 6, the first benchmark's):"]
    for t in result["targets"]:
        mark = {True: "MET   ", False: "MISSED", None: "n/a   "}[t["met"]]
        op = ">=" if t["higher_is_better"] else "<="
        value = "-" if t["value"] is None else (f"{t['value']:,.0f}" if t["unit"] == "executions/s"
                                                 else f"{t['value']:.2f}")
        lines.append(f"  {mark} {t['target']}: {value} {t['unit']} (target {op} {t['threshold']:g}) — "
                     f"{t['detail']}")
    for c in result.get("skipped", []):
        lines.append(f"  skipped: {c['workload']} {c['case']}, {c['system']}: {c['note']}")
    lines += growth_lines(result["cases"])
    lines += issue_targets.lines(result.get("targets_issue15", []))
    for k, v in meta.get("notes", {}).items():
        lines.append(f"  note: {k}: {v}")
    for e in meta.get("errors", []):
        lines.append(f"  error: {e}")
    return "\n".join(lines)


def markdown(result: dict[str, Any]) -> str:
    """The performance tables (docs/performance.md): one row per case, one column per system (median and spread), then
    the targets with their ratios."""
    cases = result["cases"]
    out: list[str] = []
    for w in sorted({c["workload"] for c in cases}):
        mine = [c for c in cases if c["workload"] == w]
        systems = [s for s in SYSTEM_ORDER if any(c["system"] == s for c in mine)]
        labels: list[str] = []
        for c in mine:
            if c["case"] not in labels:
                labels.append(c["case"])
        out += [f"**{_TITLES.get(w, w)}**", "",
                "| Case | " + " | ".join(systems) + " |",
                "|---|" + "---:|" * len(systems)]
        for label in labels:
            cells = []
            for s in systems:
                c = next((c for c in mine if c["case"] == label and c["system"] == s), None)
                cells.append("" if c is None else f"{fmt_time(c['median'])} ±{c['spread'] * 50:.0f}%")
            out.append(f"| {short(label)} | " + " | ".join(cells) + " |")
        out.append("")
    out += ["| Target | Pair | Measured | Met |", "|---|---|---:|:-:|"]
    for t in result["targets"]:
        op = ">=" if t["higher_is_better"] else "<="
        value = "-" if t["value"] is None else (f"{t['value']:,.0f}" if t["unit"] == "executions/s"
                                                 else f"{t['value']:.2f}")
        met = {True: "yes", False: "**no**", None: "n/a"}[t["met"]]
        out.append(f"| {t['target']} | {short_detail(t['detail'])} | {value} {t['unit']} "
                   f"({op} {t['threshold']:g}) | {met} |")
    rows = growth(cases)
    if rows:
        out += ["", "| W7 case | system | growth 100k -> 1M |", "|---|---|---:|"]
        out += [f"| {label} | {system} | {g:.1f}x |" for label, system, g in rows]
    out += ["", *issue_targets.markdown(result.get("targets_issue15", []))]
    return "\n".join(out)


def growth(cases: list[dict[str, Any]], low: str = "100k", high: str = "1m") -> list[tuple[str, str, float]]:
    """(case without its tier, system, time at ``high`` / time at ``low``) for W7."""
    by = {(c["case"], c["system"]): c for c in cases if c["workload"] == "W7" and c.get("times")}
    out = []
    for (case, system), c in by.items():
        tier, _, label = case.partition(": ")
        other = by.get((f"{low}: {label}", system))
        if tier == high and other and other["median"]:
            out.append((label, system, c["median"] / other["median"]))
    return out


def growth_lines(cases: list[dict[str, Any]]) -> list[str]:
    rows = growth(cases)
    if not rows:
        return []
    return (["", "W7 growth 100k -> 1M (time at 1M / time at 100k; the graph grows 10x):"]
            + [f"    {label:55s} {system:26s} {g:6.1f}x" for label, system, g in rows])


def short_detail(detail: str) -> str:
    head, sep, tail = detail.rpartition(": ")
    return f"{short(head)}: {tail}" if sep else detail


# -- chart ------------------------------------------------------------------------------------------

_SHORT = [
    (r"^put_artifacts: ([\d,]+) artifacts in one call$", r"\1 artifacts, one call"),
    (r"^put_execution: ([\d,]+) calls.*$", r"put_execution x\1"),
    (r"^put_lineage_subgraph: ([\d,]+) executions in one call$", r"batch: \1 executions"),
    (r"^upstream of a ([\d,]+)-execution chain(: |$)", r"\1-exec chain\2"),
    (r"^downstream of a root of a ([\d,]+)-node DAG(: |$)", r"\1-node DAG\2"),
    (r"all nodes \(get_lineage_subgraph\)", "all (lineage subgraph)"),
    (r"one get_lineage_subgraph call \(100-hop cap\)", "one capped call"),
    (r"all nodes \(events-API walk\)", "all (events walk)"),
    (r"first page of 100 \((upstream|downstream)\)", r"\1(), page of 100"),
    (r"all nodes with paths \(upstream\)", "upstream(), all + paths"),
    (r"^selective property filter.*$", "selective (10 hits)"),
    (r"^broad filter, ([\d,]+) of .*$", r"broad, \1 hits in pages"),
    (r"^context-alias filter, ([\d,]+) hits.*$", r"context alias (\1 hits)"),
    (r"^lineage: get_lineage_subgraph, .*$", "lineage subgraph"),
    (r"^lineage: upstream first page of 100, .*$", "upstream, page of 100"),
    (r"^filter: selective.*$", "filter, selective"),
    (r"^filter: broad, ([\d,]+) hits in one list.*$", r"filter, broad (\1 in one list)"),
    (r"^filter: broad, first page of 100.*$", "filter, broad, page of 100"),
]
_COLORS = {GS_MEM: "#1b7837", GS_FILE: "#5aae61", GS_NEO: "#2166ac", MLMD_FAKE: "#d6604d",
           MLMD_FILE: "#f4a582", "raw sqlite3 (mem)": "#999999", "raw sqlite3 (file)": "#cccccc",
           "raw neo4j driver": "#666666"}
_TITLES = {"W1": "W1 bulk write", "W2": "W2 step recording", "W3": "W3 deep lineage (upstream)",
           "W4": "W4 impact analysis (downstream)", "W5": "W5 filter queries",
           "W6": "W6 graphstore vs its own statements, raw",
           "W7": "W7 scale tiers (pipeline DAG, cached)"}


def short(case: str) -> str:
    for pattern, repl in _SHORT:
        case = re.sub(pattern, repl, case)
    return case


def chart(result: dict[str, Any], path: Path) -> str:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "skipped: matplotlib is not installed (pip install -r bench/requirements.txt)"
    cases = result["cases"]
    workloads = [w for w in _TITLES if any(c["workload"] == w for c in cases)]
    if not workloads:
        return "skipped: nothing measured"
    panels = []
    for w in workloads:
        mine = [c for c in cases if c["workload"] == w]  # already grouped by case
        groups: list[tuple[str, list[dict[str, Any]]]] = []
        for c in mine:
            if not groups or groups[-1][0] != c["case"]:
                groups.append((c["case"], []))
            groups[-1][1].append(c)
        panels.append((w, groups))
    heights = [0.5 + sum(0.16 * len(g) + 0.22 for _, g in groups) for _, groups in panels]
    fig, axes = plt.subplots(len(panels), 1, figsize=(10, sum(heights) + 1.0),
                             gridspec_kw={"height_ratios": heights})
    if len(panels) == 1:
        axes = [axes]
    for ax, (w, groups) in zip(axes, panels, strict=True):
        y, ticks, labels, seen = 0.0, [], [], set()
        for case, rows in groups:
            ticks.append(y + (len(rows) - 1) / 2)
            labels.append(short(case))
            for c in rows:
                s = c["system"]
                ax.barh(y, c["median"], height=0.85, color=_COLORS.get(s, "#888888"),
                        label=s if s not in seen else None)
                seen.add(s)
                ax.text(c["median"] * 1.06, y, fmt_time(c["median"]), va="center", fontsize=6)
                y += 1
            y += 1.4
        ax.set_yticks(ticks, labels, fontsize=8)
        ax.set_ylim(y - 1.0, -1.0)
        ax.set_xscale("log")
        ax.set_title(_TITLES[w], fontsize=10, loc="left")
        ax.grid(axis="x", which="both", alpha=0.25)
        ax.set_xlim(right=ax.get_xlim()[1] * 4)
        ax.legend(fontsize=6.5, loc="lower right", framealpha=0.9)
    axes[-1].set_xlabel("median seconds per run (log scale; shorter is faster)")
    meta = result["meta"]
    mlmd = meta.get("versions", {}).get("mlmd", {}).get("ml_metadata", "")
    fig.suptitle(f"graphstore vs MLMD {mlmd} — {meta['mode']} run {meta['timestamp']}, "
                 f"{meta['cpu_count']} CPUs", fontsize=11)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.4 / (sum(heights) + 1.0)))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return str(path)


def merge(docs: list[dict[str, Any]]) -> dict[str, Any]:
    """One result from several runs: the cases of all, the targets computed again over them,
    the first run's machine description with every run's timestamp and notes."""
    raw = [c for d in docs for c in d["cases"]]
    meta = dict(docs[0]["meta"])
    meta["timestamp"] = " + ".join(d["meta"]["timestamp"] for d in docs)
    meta["notes"] = {k: v for d in docs for k, v in d["meta"].get("notes", {}).items()}
    meta["errors"] = [e for d in docs for e in d["meta"].get("errors", [])]
    meta["merged_runs"] = [{k: d["meta"].get(k) for k in ("timestamp", "mode", "wall_seconds",
                            "load_average_at_start", "load_average_at_end")} for d in docs]
    merged = build(raw, meta)
    merged["skipped"] = [c for d in docs for c in d.get("skipped", [])]
    return merged


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("result", type=Path, nargs="+",
                   help="bench/results/*.json; several are merged (e.g. runs of different systems)")
    p.add_argument("--markdown", action="store_true", help="print the tables of docs/performance.md")
    p.add_argument("--chart", type=Path, help="draw the chart to this PNG")
    p.add_argument("--out", type=Path, help="write the (merged) result document here")
    args = p.parse_args()
    docs = [json.loads(path.read_text()) for path in args.result]
    result = merge(docs)  # even one run: its targets are computed again by today's rules
    order_cases(result["cases"])
    if args.out:
        args.out.write_text(json.dumps(result, indent=1))
    print(markdown(result) if args.markdown else table(result))
    if args.chart:
        print(chart(result, args.chart), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
