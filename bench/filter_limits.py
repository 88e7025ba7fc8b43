"""How long filters at (and past) the filter limits take on each engine (decision 39).

    .venv/bin/python bench/filter_limits.py                 # SQLite in memory, and Neo4j at NEO4J_URI
    .venv/bin/python bench/filter_limits.py --terms 200,500,1000 --past

Builds a small store (1,000 artifacts, a declared STRING property, 3,000-character uris) and
times, cold (the first run, planning included) and warm: an OR of N property terms and of N
id terms, an IN list of 10,000 values, and the hostile LIKE pattern of issue 10 (``%a…%b``).
``--past`` lifts the term limit in this process so the engines' own behaviour past it shows
(Neo4j may take minutes there).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import time
from collections.abc import Callable

from graphstore import Artifact, ArtifactType, ListOptions, MetadataStore, PropertyType
from graphstore.filters import parser

N_ARTIFACTS = 1_000


def _open(engine: str) -> MetadataStore:
    if engine == "sqlite":
        return MetadataStore()
    store = MetadataStore(os.environ["NEO4J_URI"], user=os.environ.get("NEO4J_USER", "neo4j"),
                          password=os.environ.get("NEO4J_PASSWORD", ""))
    store._engine._driver.execute_query("MATCH (n) DETACH DELETE n")  # type: ignore[attr-defined]
    store.close()
    return MetadataStore(os.environ["NEO4J_URI"], user=os.environ.get("NEO4J_USER", "neo4j"),
                         password=os.environ.get("NEO4J_PASSWORD", ""))


def _timed(fn: Callable[[], int]) -> tuple[float, float, int]:
    """(first run: planning included, second run: plans cached, nodes found)."""
    start = time.perf_counter()
    fn()
    cold = time.perf_counter() - start
    start = time.perf_counter()
    found = fn()
    return cold, time.perf_counter() - start, found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--engines", default="sqlite,neo4j" if os.environ.get("NEO4J_URI") else "sqlite")
    ap.add_argument("--terms", default="50,100,200")
    ap.add_argument("--past", action="store_true", help="lift the term limit to measure past it")
    args = ap.parse_args()
    if args.past:
        parser.FILTER_TERMS = dataclasses.replace(parser.FILTER_TERMS, maximum=10**9)
    for engine in args.engines.split(","):
        store = _open(engine)
        t = store.put_artifact_type(ArtifactType(name="Rec", properties={"split": PropertyType.STRING}))
        store.put_artifacts([Artifact(type_id=t, uri="a" * 2_999 + str(i % 10),
                                      properties={"split": f"s{i % 7}"}) for i in range(N_ARTIFACTS)])

        def count(query: str, store: MetadataStore = store) -> Callable[[], int]:
            return lambda: len(store.get_artifacts(ListOptions(filter_query=query)))
        cases = {}
        for n in (int(x) for x in args.terms.split(",")):
            cases[f"OR of {n} property terms"] = " OR ".join(
                f"properties.split.string_value = 's{i}'" for i in range(n))
            cases[f"OR of {n} id terms"] = " OR ".join(f"id = {i}" for i in range(n))
        cases["IN list of 10,000 ids"] = "id IN (" + ",".join(str(i) for i in range(10_000)) + ")"
        cases["hostile LIKE on 3,000-char uris"] = "uri LIKE '" + "%a" * 12 + "%b'"
        for name, query in cases.items():
            cold, warm, found = _timed(count(query))
            print(f"{engine:7} {name:34} cold {cold * 1000:9.1f} ms  warm {warm * 1000:8.1f} ms"
                  f"  ({found} found)", flush=True)
        store.close()


if __name__ == "__main__":
    main()
