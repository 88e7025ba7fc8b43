"""W2's raw Neo4j rivals: the same records written the leanest way through the driver.

They run in a store graphstore opened (so its constraints and indexes are there) and write
nodes with graphstore's properties, but with ids made in the client and no reads: the cost of
the engine's own CREATE and commit, which is the limit for graphstore's writes.
"""

from __future__ import annotations

import time
from typing import Any

import common
from common import Case, measure

# One call of W2's chain step: an execution, its output artifact, the input and output events,
# the association and both attributions.
CALL = """
MATCH (c:Context {id: $context})
MATCH (i:Artifact {id: $input})
CREATE (e:Execution:Trainer) SET e = $execution
CREATE (o:Artifact:Data) SET o = $output
CREATE (i)-[:INPUT {id: $ids[0], path: '[]', milliseconds_since_epoch: $now}]->(e)
CREATE (e)-[:OUTPUT {id: $ids[1], path: '[]', milliseconds_since_epoch: $now}]->(o)
CREATE (e)-[:ASSOCIATED_WITH]->(c)
CREATE (o)-[:ATTRIBUTED_TO]->(c)
MERGE (i)-[:ATTRIBUTED_TO]->(c)
"""

# W2's batch: executions and artifacts of a chain, its context, the events by id seeks.
BATCH = """
CALL () { CREATE (c:Context:Pipeline) SET c = $context }
CALL () {
  MATCH (c:Context {id: $context.id})
  UNWIND $executions AS p CREATE (n:Execution:Trainer) SET n = p CREATE (n)-[:ASSOCIATED_WITH]->(c)
}
CALL () {
  MATCH (c:Context {id: $context.id})
  UNWIND $artifacts AS p CREATE (n:Artifact:Data) SET n = p CREATE (n)-[:ATTRIBUTED_TO]->(c)
}
CALL () {
  UNWIND $events AS row
  MATCH (a:Artifact {id: row[1]})
  MATCH (e:Execution {id: row[0]})
  FOREACH (_ IN CASE WHEN row[2] THEN [1] ELSE [] END |
    CREATE (a)-[:INPUT {id: row[3], path: '[]', milliseconds_since_epoch: row[4]}]->(e))
  FOREACH (_ IN CASE WHEN row[2] THEN [] ELSE [1] END |
    CREATE (e)-[:OUTPUT {id: row[3], path: '[]', milliseconds_since_epoch: row[4]}]->(a))
}
"""

SYSTEM = "raw neo4j driver"
_BASE = 1 << 40  # far above graphstore's ids: the raw rows never meet the sequence's


def _execution(i: int, now: int) -> dict[str, Any]:
    return {"id": i, "type_id": 2, "type": "Trainer", "last_known_state": "COMPLETE",
            "create_time_since_epoch": now, "last_update_time_since_epoch": now, "namespace": ""}


def _artifact(i: int, uri: str, now: int) -> dict[str, Any]:
    return {"id": i, "type_id": 1, "type": "Data", "uri": uri, "_key.uri": uri, "state": "UNKNOWN",
            "create_time_since_epoch": now, "last_update_time_since_epoch": now, "namespace": ""}


class _Chain:
    """One writer's chain: a context, an input artifact, then a call per step."""

    def __init__(self, session: Any, k: int) -> None:
        self.session, self.next = session, _BASE + k * (1 << 32)
        now = self.now()
        self.context, self.current = self.take(), self.take()
        session.execute_write(lambda tx: tx.run(
            "CREATE (c:Context:Pipeline) SET c = $c CREATE (a:Artifact:Data) SET a = $a",
            c={"id": self.context, "type_id": 3, "type": "Pipeline", "name": f"raw-{k}",
               "create_time_since_epoch": now, "last_update_time_since_epoch": now, "namespace": ""},
            a=_artifact(self.current, f"/raw{k}/in", now)).consume())

    @staticmethod
    def now() -> int:
        return int(time.time() * 1000)

    def take(self) -> int:
        self.next += 1
        return self.next

    def step(self, i: int) -> None:
        now, e, o = self.now(), self.take(), self.take()
        params = {"context": self.context, "input": self.current, "execution": _execution(e, now),
                  "output": _artifact(o, f"/raw/{i}", now), "ids": [self.take(), self.take()], "now": now}
        self.session.execute_write(lambda tx: tx.run(CALL, params).consume())
        self.current = o


def _session(store: Any) -> Any:
    engine = getattr(store._engine, "inner", store._engine)  # the namespace scope wraps it
    return engine._driver.session(database=engine.database)


def batch_params(batch: int) -> dict[str, Any]:
    now, base = _Chain.now(), _BASE
    executions = [_execution(base + j, now) for j in range(batch)]
    artifacts = [_artifact(base + batch + j, f"/raw/b/{j}", now) for j in range(batch + 1)]
    events = []
    for j in range(batch):
        events.append([base + j, base + batch + j, True, base + 3 * batch + 2 * j, now])
        events.append([base + j, base + batch + j + 1, False, base + 3 * batch + 2 * j + 1, now])
    context = {"id": base + 5 * batch, "type_id": 3, "type": "Pipeline", "name": "raw-batch",
               "create_time_since_epoch": now, "last_update_time_since_epoch": now, "namespace": ""}
    return {"context": context, "executions": executions, "artifacts": artifacts, "events": events}


def w2_raw(stores: Any, sz: dict[str, Any]) -> list[Case]:
    """The raw rivals of W2's three Neo4j cases, with graphstore's case names."""
    calls, batch = int(sz["w2_calls"]), int(sz["w2_batch"])

    def chain() -> _Chain:
        return _Chain(_session(stores.fresh()), 0)

    def steps(c: _Chain) -> int:
        for i in range(calls):
            c.step(i)
        return calls
    times, done = measure(steps, setup=chain, teardown=lambda c: c.session.close(),
                          warmup=sz["warmup"], runs=sz["runs"])
    cases = [Case("W2", f"put_execution: {calls:,} calls (1 in, 1 out, shared context)", SYSTEM,
                  times, done, calls, "one CREATE statement a call, ids made in the client")]

    def batch_setup() -> tuple[Any, dict[str, Any]]:
        return _session(stores.fresh()), batch_params(batch)

    def write(st: tuple[Any, dict[str, Any]]) -> int:
        st[0].execute_write(lambda tx: tx.run(BATCH, st[1]).consume())
        return batch
    times, done = measure(write, setup=batch_setup, teardown=lambda st: st[0].close(),
                          warmup=sz["warmup"], runs=sz["runs"])
    cases.append(Case("W2", f"put_lineage_subgraph: {batch:,} executions in one call", SYSTEM,
                      times, done, batch, "one statement, ids made in the client"))
    n, each = sz["writers"], sz["writer_calls"]
    times = []
    for _ in range(sz["runs"] if sz["runs"] < 5 else 3):
        stores.fresh()
        stores.close_all()
        times.append(common.parallel_seconds(writer, [([stores.uri, stores.user, stores.password], each, k)
                                                      for k in range(n)]))
    cases.append(Case("W2", f"put_execution from {n} processes: {each:,} calls each", SYSTEM, times,
                      n * each, n * each, "one CREATE statement a call, ids made in the client"))
    return cases


def writer(barrier: Any, queue: Any, target: list[Any], calls: int, k: int) -> None:
    """One raw writer process: its own chain, ``calls`` transactions after a warm-up."""
    import neo4j
    try:
        with neo4j.GraphDatabase.driver(target[0], auth=(target[1], target[2])) as driver, \
                driver.session() as session:
            chain = _Chain(session, k + 1)
            for i in range(5):
                chain.step(-1 - i)
            barrier.wait(timeout=300)
            began = time.time()
            for i in range(calls):
                chain.step(i)
            queue.put((began, time.time(), None))
    except Exception as exc:  # reported by the parent
        barrier.abort()
        queue.put((0.0, 0.0, f"{type(exc).__name__}: {exc}"[:300]))
