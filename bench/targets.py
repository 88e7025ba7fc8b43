"""Issue 15's targets, checked against one run's cases: every target is met, not met (with
the figures that miss it) or not measured (with the reason)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

GS_MEM, GS_FILE, GS_NEO = "graphstore sqlite-mem", "graphstore sqlite-file", "graphstore neo4j"
RAW = {GS_FILE: "raw sqlite3 (file)", GS_NEO: "raw neo4j driver"}
LEAN = {GS_NEO: "raw neo4j driver, one list"}  # the leanest raw form, where there is one
EVENTS_WALK, CAPPED = "MLMD events walk (file)", "MLMD capped calls (file)"
MLMD_FAKE, MLMD_FILE = "MLMD fake_database", "MLMD sqlite-file"
ENGINES = ((GS_FILE, "SQLite file"), (GS_NEO, "Neo4j"))
WALKS = ("upstream of the leaf", "downstream of a root")
TIER_ORDER = ["3k", "10k", "100k", "1m"]


def _fmt(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds >= 1 else f"{seconds * 1e3:.0f} ms"


class _Cases:
    def __init__(self, cases: list[dict[str, Any]]) -> None:
        self.by = {(c["workload"], c["case"], c["system"]): c for c in cases}
        tiers = {c["case"].split(": ", 1)[0] for c in cases if c["workload"] == "W7"}
        self.tiers = [t for t in TIER_ORDER if t in tiers]

    def get(self, workload: str, case: str, system: str) -> dict[str, Any] | None:
        c = self.by.get((workload, case, system))
        return c if c and c.get("times") else None

    def w7(self, tier: str, label: str, system: str) -> dict[str, Any] | None:
        return self.get("W7", f"{tier}: {label}", system)

    def startswith(self, workload: str, prefix: str, system: str) -> dict[str, Any] | None:
        for (w, case, s), c in self.by.items():
            if w == workload and s == system and case.startswith(prefix) and c.get("times"):
                return c
        return None


def _row(target: str, pair: str, value: float | None, threshold: float, higher: bool, unit: str,
         detail: str = "", why_not: str = "") -> dict[str, Any]:
    met = None if value is None else (value >= threshold if higher else value <= threshold)
    reason = why_not if value is None else detail
    return {"target": target, "detail": pair, "value": value, "threshold": threshold,
            "higher_is_better": higher, "unit": unit, "met": met, "reason": reason}


def _ratio(target: str, pair: str, top: dict[str, Any] | None, bottom: dict[str, Any] | None,
           threshold: float, higher: bool, unit: str, names: tuple[str, str]) -> dict[str, Any]:
    if top is None or bottom is None:
        missing = names[0] if top is None else names[1]
        return _row(target, pair, None, threshold, higher, unit,
                    why_not=f"not measured: no {missing} figure in this run")
    value = top["median"] / bottom["median"]
    detail = f"{names[0]} {_fmt(top['median'])} vs {names[1]} {_fmt(bottom['median'])}"
    return _row(target, pair, value, threshold, higher, unit, detail)


def issue15(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows of the issue's target table."""
    k = _Cases(cases)
    out: list[dict[str, Any]] = []
    big = [t for t in ("100k", "1m") if t in k.tiers] or k.tiers[-1:]
    top = k.tiers[-1] if k.tiers else None
    for tier in big:
        for walk in WALKS:
            for gs, engine in ENGINES:
                raws = [c for c in (k.w7(tier, f"{walk}, id level", RAW[gs]),
                                    k.w7(tier, f"{walk}, id level", LEAN.get(gs, ""))) if c]
                best = min(raws, key=lambda c: c["median"]) if raws else None  # the limit is the faster
                out.append(_ratio("whole lineage, id level <= 1.3x the raw ids query", f"{tier} {walk}, {engine}",
                                  k.w7(tier, f"{walk}, id level", gs), best,
                                  1.3, False, "x raw", ("graphstore", "raw")))
            for gs, engine, need in ((GS_FILE, "SQLite file", 4.0), (GS_NEO, "Neo4j", 10.0)):
                out.append(_ratio(f"whole lineage, id level >= {need:g}x faster than MLMD's events walk",
                                  f"{tier} {walk}, {engine}", k.w7(tier, f"{walk}, id level", EVENTS_WALK),
                                  k.w7(tier, f"{walk}, id level", gs), need, True, "x faster",
                                  ("MLMD events walk", "graphstore")))
            for gs, engine in ENGINES:
                out.append(_ratio("whole lineage, full records <= 1.3x the raw rows query",
                                  f"{tier} {walk}, {engine}", k.w7(tier, f"{walk}, full records", gs),
                                  k.w7(tier, f"{walk}, full records", RAW[gs]), 1.3, False, "x raw",
                                  ("graphstore", "raw")))
    if top:
        for walk in WALKS:
            out.append(_ratio("Neo4j no slower than SQLite at the top tier", f"{top} {walk}, id level",
                              k.w7(top, f"{walk}, id level", GS_NEO), k.w7(top, f"{walk}, id level", GS_FILE),
                              1.0, False, "x SQLite's time", ("Neo4j", "SQLite")))
    low = "10k" if "10k" in k.tiers else (k.tiers[0] if k.tiers else None)
    for gs, engine in ENGINES:
        label = "downstream(limit=100), type Model"
        out.append(_ratio("downstream(limit=100) by type: top tier <= 2x the 10k tier", f"{top} vs {low}, {engine}",
                          k.w7(top, label, gs) if top else None, k.w7(low, label, gs) if low else None,
                          2.0, False, "x", (f"{top}", f"{low}")))
    page_tier = "100k" if "100k" in k.tiers else top
    for gs, engine in ENGINES:
        for tier, paged, one, what in (
                (page_tier, "upstream of the leaf in pages of 1,000", "upstream of the leaf, id level",
                 "a 100k-node answer in pages of 1,000 <= 2x one answer"),
                (top, "broad filter, all pages of 1,000", "broad filter, one list",
                 "all pages of a broad filter at the top tier <= 2x one list")):
            p = k.w7(tier, paged, gs) if tier else None
            row = _ratio(what, f"{tier}, {engine}", p, k.w7(tier, one, gs) if tier else None, 2.0, False, "x",
                         ("paged", "one-shot"))
            if p is not None and not (p.get("extra") or {}).get("finished", True):
                one_shot = k.w7(tier, one, gs) if tier else None
                took = f"; one answer: {_fmt(one_shot['median'])}" if one_shot else ""
                row.update(met=False, reason=f"did not finish: {p['note']}{took}")
            out.append(row)
    if top:
        for walk in WALKS:
            for gs, engine in ENGINES:
                c = k.w7(top, f"{walk}, id level", gs)
                rss = c.get("peak_rss_mb") if c else None
                out.append(_row("peak RSS of a top-tier id-level answer <= 150 MB above the process",
                                f"{top} {walk}, {engine}", rss, 150.0, False, "MB",
                                f"{rss:.0f} MB" if rss is not None else "",
                                "not measured" if c is None else "peak RSS unknown on this OS"))
    out.append(_row("MLMD parity unchanged", "MLMD's own suite, lineage parity tests", None, 0, True, "",
                    why_not="checked by `make test` (tests/mlmd), not by the benchmark"))
    out += _writes(k)
    return out


def _chain_nodes(steps: int) -> int:
    return 2 * steps + 1  # an execution and an artifact a step, and the first artifact


def _raw_rate(k: _Cases, prefix: str, unit: str, count: Callable[[int], int] = int) -> str:
    """The raw driver's rate for the same W2 case, as a clause of a reason ('' if not run)."""
    raw = k.startswith("W2", prefix, RAW[GS_NEO])
    if raw is None:
        return ""
    rate = count(raw["items"]) / raw["median"]
    return f"; the raw driver's own writes {rate:,.0f} {unit} ({_fmt(raw['median'])})"


def _writes(k: _Cases) -> list[dict[str, Any]]:
    out = []
    batch = k.startswith("W2", "put_lineage_subgraph", GS_NEO)
    if batch is None:
        out.append(_row("put_lineage_subgraph batches on Neo4j >= 20,000 nodes/s", "W2 batch", None, 20000,
                        True, "nodes/s", why_not="not measured"))
    else:
        nodes = _chain_nodes(batch["items"])
        out.append(_row("put_lineage_subgraph batches on Neo4j >= 20,000 nodes/s", batch["case"],
                        nodes / batch["median"], 20000, True, "nodes/s",
                        f"{nodes:,} nodes in {_fmt(batch['median'])}"
                        + _raw_rate(k, "put_lineage_subgraph", "nodes/s", _chain_nodes)))
    for gs, mlmd, where in ((GS_MEM, MLMD_FAKE, "in memory"), (GS_FILE, MLMD_FILE, "on a file")):
        out.append(_ratio(f"put_execution per call no slower than MLMD {where}", f"{gs} vs {mlmd}",
                          k.startswith("W2", "put_execution: ", gs), k.startswith("W2", "put_execution: ", mlmd),
                          1.0, False, "x MLMD's time", ("graphstore", "MLMD")))
    par = k.startswith("W2", "put_execution from ", GS_NEO)
    out.append(_row("put_execution on Neo4j >= 1,000 calls/s from 4 writer processes",
                    par["case"] if par else "W2 4 writers", par["items"] / par["median"] if par else None,
                    1000, True, "calls/s",
                    f"{par['items']:,} calls in {_fmt(par['median'])}"
                    + _raw_rate(k, "put_execution from ", "calls/s") if par else "",
                    "not measured"))
    return out


def lines(rows: list[dict[str, Any]]) -> list[str]:
    """The terminal table."""
    out = ["", "Targets (issue 15):"]
    for t in rows:
        mark = {True: "MET    ", False: "NOT MET", None: "n/a    "}[t["met"]]
        op = ">=" if t["higher_is_better"] else "<="
        value = "-" if t["value"] is None else f"{t['value']:,.2f}" if t["value"] < 100 else f"{t['value']:,.0f}"
        out.append(f"  {mark} {t['target']} [{t['detail']}]: {value} {t['unit']} "
                   f"(target {op} {t['threshold']:g}) — {t['reason']}")
    return out


def markdown(rows: list[dict[str, Any]]) -> list[str]:
    out = ["| Target | Case | Measured | Met | Why / figures |", "|---|---|---:|:-:|---|"]
    for t in rows:
        op = ">=" if t["higher_is_better"] else "<="
        value = "-" if t["value"] is None else f"{t['value']:,.2f}" if t["value"] < 100 else f"{t['value']:,.0f}"
        met = {True: "yes", False: "**no**", None: "n/a"}[t["met"]]
        out.append(f"| {t['target']} | {t['detail']} | {value} {t['unit']} ({op} {t['threshold']:g}) "
                   f"| {met} | {t['reason']} |")
    return out
