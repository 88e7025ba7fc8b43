"""Paging a broad filter: what one page costs at 30k and 300k artifacts, per filter shape.

    .venv/bin/python bench/filter_paging.py                       # SQLite file, 30k and 300k
    .venv/bin/python bench/filter_paging.py --sizes 30000 --uri bolt://127.0.0.1:7687 --password …

Each case reads every page of 100 of a filter that matches about half the artifacts (or until
``--budget`` seconds, so a quadratic plan still finishes) and prints the mean cost per page,
the cost of the last pages against the first (a page deep in the listing should cost what
the first did), and the growth of the per-page cost from the smallest size to the largest
(1.0 = a page costs in proportion to the page; 10 = in proportion to the hits). The store is
built in a temporary directory (``--keep DIR`` to reuse one) and never in the repository.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graphstore import (
    Artifact,
    ArtifactType,
    Attribution,
    Context,
    ContextType,
    ListOptions,
    MetadataStore,
    OrderByField,
    PropertyType,
)

PAGE = 100
BATCH = 10_000
# (label, filter, order, ascending): each filter matches about half the artifacts
CASES: list[tuple[str, str | None, OrderByField | None, bool]] = [
    ("no filter, create_time", None, OrderByField.CREATE_TIME, True),
    ("no filter, update_time desc", None, OrderByField.LAST_UPDATE_TIME, False),
    ("property =", "properties.split.string_value = 'train'", None, True),
    ("property =, id desc", "properties.split.string_value = 'train'", None, False),
    ("property =, create_time", "properties.split.string_value = 'train'", OrderByField.CREATE_TIME, True),
    ("property =, update_time desc", "properties.split.string_value = 'train'",
     OrderByField.LAST_UPDATE_TIME, False),
    ("property range", "properties.bucket.int_value < 500", None, True),
    ("property range, create_time desc", "properties.bucket.int_value < 500", OrderByField.CREATE_TIME, False),
    ("property IN", "properties.split.string_value IN ('train', 'test')", None, True),
    ("property LIKE", "properties.split.string_value LIKE 'tr%'", None, True),
    ("custom property =", "custom_properties.owner.string_value = 'team-a'", None, True),
    ("own attribute LIKE", "uri LIKE '/rec/%'", None, True),
    ("context alias", "contexts_a.name = 'ctx-0'", None, True),
    ("context alias, id desc", "contexts_a.name = 'ctx-0'", None, False),
    ("two properties", "properties.split.string_value = 'train' AND properties.bucket.int_value >= 250",
     None, True),
]


def build(store: MetadataStore, n: int) -> None:
    """n artifacts: split alternates train/eval, bucket = i % 1000, owner alternates, and two
    contexts take every other artifact."""
    at = store.put_artifact_type(ArtifactType(
        name="Record", properties={"bucket": PropertyType.INT, "split": PropertyType.STRING}))
    ct = store.put_context_type(ContextType(name="Run"))
    contexts = store.put_contexts([Context(type_id=ct, name=f"ctx-{k}") for k in range(2)])
    for start in range(0, n, BATCH):
        ids = store.put_artifacts([
            Artifact(type_id=at, uri=f"/rec/{i}",
                     properties={"bucket": i % 1000, "split": "train" if i % 2 == 0 else "eval"},
                     custom_properties={"owner": "team-a" if i % 4 < 2 else "team-b"})
            for i in range(start, min(n, start + BATCH))])
        store.put_attributions_and_associations(
            [Attribution(artifact_id=a, context_id=contexts[a % 2]) for a in ids], [])


def read_pages(store: MetadataStore, query: str | None, order: OrderByField | None, asc: bool,
               budget: float) -> dict[str, Any]:
    """Every page (or until ``budget`` seconds): pages read, mean and first/last-10 cost."""
    options = ListOptions(filter_query=query, limit=PAGE, is_asc=asc,
                          **({"order_by": order} if order is not None else {}))
    times: list[float] = []
    rows = 0
    start = time.perf_counter()
    while True:
        t = time.perf_counter()
        page = store.page_artifacts(options)
        times.append(time.perf_counter() - t)
        rows += len(page.items)
        if page.next_page_token is None or time.perf_counter() - start > budget:
            break
        options = options.model_copy(update={"next_page_token": page.next_page_token})
    head, tail = times[:10], times[-10:]
    return {"pages": len(times), "rows": rows, "done": page.next_page_token is None,
            "total": sum(times), "per_page": sum(times) / len(times),
            "first": sum(head) / len(head), "last": sum(tail) / len(tail)}


def wipe_neo4j(args: argparse.Namespace) -> None:
    import neo4j  # only for a Neo4j run

    with neo4j.GraphDatabase.driver(args.uri, auth=(args.user, args.password)) as driver, \
            driver.session() as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS").consume()


def open_store(args: argparse.Namespace, path: Path) -> MetadataStore:
    if args.uri:
        return MetadataStore(args.uri, user=args.user, password=args.password)
    return MetadataStore(str(path))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[30_000, 300_000])
    parser.add_argument("--budget", type=float, default=60.0, help="seconds per case at most")
    parser.add_argument("--only", default="", help="run the cases whose label contains this")
    parser.add_argument("--keep", type=Path, help="build the SQLite stores here and reuse them")
    parser.add_argument("--uri", help="a bolt:// uri: run on Neo4j (the database is wiped)")
    parser.add_argument("--user", default="neo4j")
    parser.add_argument("--password")
    args = parser.parse_args()
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="gs-filter-paging-"))
    workdir.mkdir(parents=True, exist_ok=True)
    results: dict[int, dict[str, dict[str, Any]]] = {}
    try:
        for n in args.sizes:
            path = workdir / f"paging-{n}.db"
            fresh = args.uri is not None or not path.exists()
            if args.uri:
                wipe_neo4j(args)
            store = open_store(args, path)
            if fresh:
                t = time.perf_counter()
                build(store, n)
                print(f"built {n:,} artifacts in {time.perf_counter() - t:.1f} s", flush=True)
            results[n] = {}
            for label, query, order, asc in CASES:
                if args.only and args.only not in label:
                    continue
                store.page_artifacts(ListOptions(filter_query=query, limit=PAGE))  # warm the cache
                r = read_pages(store, query, order, asc, args.budget)
                results[n][label] = r
                print(f"{n:>8,}  {label:<34} {r['pages']:>5} pages{'' if r['done'] else ' (budget)'}"
                      f"  {r['per_page'] * 1e3:8.2f} ms/page  first {r['first'] * 1e3:7.2f}"
                      f"  last {r['last'] * 1e3:7.2f}  all {r['total']:7.2f} s", flush=True)
            store.close()
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    small, large = min(results), max(results)
    if small != large:
        print(f"\ngrowth of the per-page cost, {small:,} → {large:,} artifacts "
              f"(1.0: in proportion to the page; {large / small:.0f}: to the hits)")
        for label in results[large]:
            print(f"  {label:<34} {results[large][label]['per_page'] / results[small][label]['per_page']:6.2f}")


if __name__ == "__main__":
    main()
