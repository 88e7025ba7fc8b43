"""Hostile values on every engine: NaN/±inf, out-of-range integers, invalid text, NUL, deep
or huge STRUCTs and STRUCT/PROTO confusion (issue 10, items 2, 5, 7, 8, 10).

Each refused case must raise exactly InvalidArgument naming the field; after every case the
store must still list and answer. Stored cases must come back exactly as written.
"""

from __future__ import annotations

import base64
import json
import math
import random
import struct
from collections.abc import Callable
from typing import Any

import pytest

from graphstore import (
    Artifact,
    ArtifactType,
    Association,
    Attribution,
    Context,
    ContextType,
    Event,
    EventType,
    Execution,
    ExecutionType,
    InvalidArgument,
    ListOptions,
    MetadataStore,
    ParentContext,
    PropertyType,
    ProtoValue,
)
from graphstore.errors import FilterSyntaxError
from graphstore.filters import NodeKind, parse
from graphstore.lineage import LineageSubgraphQueryOptions
from tests.filters.filter_world import World, _record

BIG, SMALL = 2**63, -(2**63) - 1  # just outside int64, on either side
SURROGATE, NUL = "a\ud800b", "a\x00b"


def refused(call: Callable[[], Any], *words: str, error: type[InvalidArgument] = InvalidArgument) -> str:
    """``call`` raises exactly ``error`` whose message holds every one of ``words``."""
    with pytest.raises(InvalidArgument) as info:
        call()
    assert type(info.value) is error, repr(info.value)
    message = str(info.value)
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"
    return message


def answers(store: MetadataStore) -> None:
    """The store still lists, filters, writes and reads after a hostile call."""
    everything = store.get_artifacts()
    store.get_artifacts(ListOptions(filter_query="custom_properties.x.double_value > 0"))
    type_id = store.put_artifact_type(ArtifactType(name="Probe"))
    [new] = store.put_artifacts([Artifact(type_id=type_id, uri="/probe")])
    assert [a.id for a in store.get_artifacts_by_id([new])] == [new]
    assert len(store.get_artifacts()) == len(everything) + 1


@pytest.fixture
def world(store: MetadataStore) -> dict[str, int]:
    """One type of each kind and a node of each, linked, for the calls that need ids."""
    ids = {
        "a_type": store.put_artifact_type(ArtifactType(name="Data", properties={
            "d": PropertyType.DOUBLE, "n": PropertyType.INT, "s": PropertyType.STRUCT})),
        "e_type": store.put_execution_type(ExecutionType(name="Step")),
        "c_type": store.put_context_type(ContextType(name="Run")),
    }
    [ids["a"]] = store.put_artifacts([Artifact(type_id=ids["a_type"], uri="/a")])
    [ids["e"]] = store.put_executions([Execution(type_id=ids["e_type"])])
    [ids["c"]] = store.put_contexts([Context(type_id=ids["c_type"], name="run")])
    store.put_events([Event(artifact_id=ids["a"], execution_id=ids["e"], type=EventType.OUTPUT)])
    return ids


# -- item 2: NaN and ±inf in DOUBLE properties ------------------------------------------------

SPECIALS = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def _same(x: float, y: Any) -> bool:
    return isinstance(y, float) and ((math.isnan(x) and math.isnan(y)) or x == y)


@pytest.mark.parametrize("name", list(SPECIALS))
def test_nan_and_inf_round_trip(store: MetadataStore, world: dict[str, int], name: str) -> None:
    value = SPECIALS[name]
    [i] = store.put_artifacts([Artifact(type_id=world["a_type"], properties={"d": value},
                                        custom_properties={"x": value})])
    for read in (lambda: store.get_artifacts_by_id([i]),
                 lambda: [a for a in store.get_artifacts() if a.id == i],
                 lambda: [a for a in store.iter_artifacts() if a.id == i]):
        [back] = read()
        assert _same(value, back.properties["d"]) and _same(value, back.custom_properties["x"])
    # an unchanged re-put writes nothing (NaN != NaN must not count as a change)
    before = store.get_artifacts_by_id([i])[0].last_update_time_since_epoch
    store.put_artifacts([store.get_artifacts_by_id([i])[0]])
    assert store.get_artifacts_by_id([i])[0].last_update_time_since_epoch == before
    answers(store)


def test_doubles_read_back_exactly(store: MetadataStore, world: dict[str, int]) -> None:
    # every 17th significant digit counts (SQLite's own JSON keeps 15: 0.1 + 0.2 became 0.3)
    rng = random.Random(10)
    values = [0.1 + 0.2, 1 / 3, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
              -1.7976931348623157e308, 2.0**128, 3.4028236692093846e38, 1.2105279040354139e114]
    values += [v for v in (struct.unpack("d", struct.pack("Q", rng.getrandbits(64)))[0]
                           for _ in range(2000)) if math.isfinite(v)]
    ids = store.put_artifacts([Artifact(type_id=world["a_type"], properties={"d": v},
                                        custom_properties={"x": v}) for v in values])
    back = {a.id: a for a in store.get_artifacts()}
    wrong = [(v, back[i].properties["d"]) for v, i in zip(values, ids, strict=True)
             if back[i].properties["d"] != v or back[i].custom_properties["x"] != v]
    assert not wrong, f"{len(wrong)} doubles came back changed, e.g. {wrong[:3]}"
    answers(store)


FILTERS = ["{p} > 1", "{p} >= 1", "{p} = 1", "{p} != 1", "{p} < 1", "{p} <= 1",
           "NOT ({p} > 1)", "NOT ({p} >= 1)", "NOT ({p} < 1)", "NOT ({p} = 1)",
           "{p} IS NULL", "{p} IS NOT NULL", "{p} IN (1, 2)", "{p} NOT IN (1, 2)",
           "{p} > 1e308", "{p} < -1e308", "{p} > 0.5 OR {p} < 0.5", "NOT ({p} > 0.5 OR {p} < 0.5)"]


def test_filters_over_nan_and_inf_match_the_reference(store: MetadataStore, world: dict[str, int]) -> None:
    values = {"nan": math.nan, "inf": math.inf, "ninf": -math.inf, "one": 1.0, "half": 0.5,
              "none": None}
    nodes = [Artifact(type_id=world["a_type"], name=name,
                      properties={"d": v} if v is not None else {},
                      custom_properties={"x": v} if v is not None else {})
             for name, v in values.items()]
    ids = dict(zip(values, store.put_artifacts(nodes), strict=True))
    records = {name: _record(a) for name, a in zip(values, store.get_artifacts_by_id(list(ids.values())),
                                                  strict=True)}
    reference = World({NodeKind.ARTIFACT: records})
    for prop in ("properties.d.double_value", "custom_properties.x.double_value"):
        for template in FILTERS:
            query = template.format(p=prop)
            got = {a.name for a in store.get_artifacts(ListOptions(filter_query=query))
                   if a.id in ids.values()}
            assert got == reference.matching(parse(query, NodeKind.ARTIFACT), NodeKind.ARTIFACT), query
    answers(store)


def test_nan_inside_a_struct_is_refused_clearly(store: MetadataStore, world: dict[str, int]) -> None:
    for value in SPECIALS.values():
        for where, props in (("properties['s']", {"properties": {"s": {"loss": [value]}}}),
                             ("custom_properties['c']", {"custom_properties": {"c": {"loss": value}}})):
            message = refused(lambda props=props: store.put_artifacts(
                [Artifact(type_id=world["a_type"], **props)]), where, "STRUCT", "DOUBLE")
            assert "JSON has no NaN or infinity" in message
    answers(store)


# -- item 5: integers outside int64 in every position ------------------------------------------

def _int_calls(store: MetadataStore, w: dict[str, int], n: int) -> list[tuple[str, Callable[[], Any]]]:
    """(field the error must name, call) for every integer the API takes."""
    a, e, c, at = w["a"], w["e"], w["c"], w["a_type"]

    def art(**fields: Any) -> Any:
        return store.put_artifacts([Artifact(type_id=at, **fields)])
    return [
        ("id", lambda: store.put_artifacts([Artifact(type_id=at, id=n)])),
        ("type_id", lambda: store.put_artifacts([Artifact(type_id=n)])),
        ("create_time_since_epoch", lambda: store.put_executions([Execution(
            type_id=w["e_type"], create_time_since_epoch=n)])),
        ("last_update_time_since_epoch", lambda: store.put_contexts([Context(
            type_id=w["c_type"], name="x", last_update_time_since_epoch=n)])),
        ("properties['n']", lambda: art(properties={"n": n})),
        ("custom_properties['i']", lambda: art(custom_properties={"i": n})),
        ("custom_properties['s']", lambda: art(custom_properties={"s": {"k": n}})),
        ("artifact_id", lambda: store.put_events([Event(artifact_id=n, execution_id=e, type=EventType.INPUT)])),
        ("execution_id", lambda: store.put_events([Event(artifact_id=a, execution_id=n, type=EventType.INPUT)])),
        ("milliseconds_since_epoch", lambda: store.put_events([Event(
            artifact_id=a, execution_id=e, type=EventType.INPUT, milliseconds_since_epoch=n)])),
        ("path", lambda: store.put_events([Event(artifact_id=a, execution_id=e, type=EventType.INPUT, path=[n])])),
        ("context_id", lambda: store.put_attributions_and_associations(
            [Attribution(artifact_id=a, context_id=n)], [])),
        ("execution_id", lambda: store.put_attributions_and_associations(
            [], [Association(execution_id=n, context_id=c)])),
        ("parent_id", lambda: store.put_parent_contexts([ParentContext(child_id=c, parent_id=n)])),
        ("limit", lambda: store.get_artifacts(ListOptions(limit=n))),
        ("limit", lambda: store.page_executions(ListOptions(limit=n))),
        ("artifact_ids", lambda: store.get_artifacts_by_id([a, n])),
        ("execution_ids", lambda: store.get_executions_by_id([n])),
        ("context_ids", lambda: store.get_contexts_by_id([n])),
        ("type_ids", lambda: store.get_artifact_types_by_id([n])),
        ("artifact_ids", lambda: store.get_events_by_artifact_ids([n])),
        ("execution_ids", lambda: store.get_events_by_execution_ids([n])),
        ("artifact_ids", lambda: store.get_artifacts_and_types_by_artifact_ids([n])),
        ("context_id", lambda: store.get_artifacts_by_context(n)),
        ("context_id", lambda: store.page_artifacts(context_id=n)),
        ("id", lambda: store.get_contexts_by_artifact(n)),
        ("id", lambda: store.get_children_contexts_by_context(n)),
        ("artifact_ids", lambda: store.delete_artifacts([n])),
        ("artifact_id", lambda: store.upstream(artifact_id=n)),
        ("execution_id", lambda: store.downstream(execution_id=n)),
        ("max_hops", lambda: store.upstream(artifact_id=a, max_hops=n)),
        ("limit", lambda: store.downstream(artifact_id=a, limit=n)),
        ("max_num_hops", lambda: store.get_lineage_subgraph(LineageSubgraphQueryOptions(
            starting_artifacts=f"id = {a}", max_num_hops=n))),
        ("artifact_ids", lambda: store.impact([n])),
        ("created_after", lambda: store.impact([a], created_after=n)),
        ("root_artifact_ids", lambda: store.unmark_impact([n])),
        ("artifact_ids", lambda: store.compare_artifacts(a, n)),
        ("execution_type", lambda: store.find_cached_execution(n, [])),
        ("event_edges[0].artifact_index", lambda: store.put_lineage_subgraph(
            [Execution(type_id=w["e_type"])], [], [], [(0, n, Event(type=EventType.INPUT))])),
    ]


@pytest.mark.parametrize("n", [BIG, SMALL], ids=["2**63", "-2**63-1"])
def test_integers_outside_int64_are_refused_everywhere(store: MetadataStore, world: dict[str, int],
                                                       n: int) -> None:
    for field, call in _int_calls(store, world, n):
        message = refused(call, field)
        assert "int64" in message and str(n) in message, message
    answers(store)


def test_forged_page_tokens_and_cursors_with_huge_ids(store: MetadataStore, world: dict[str, int]) -> None:
    store.put_artifacts([Artifact(type_id=world["a_type"])])
    real = store.page_artifacts(ListOptions(limit=1)).next_page_token
    assert real

    def token(k: list[int]) -> str:
        data = json.loads(base64.urlsafe_b64decode(real + "=" * (-len(real) % 4)))
        data["k"] = k
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    for k in ([1, BIG], [BIG, 1], [SMALL, 1]):
        refused(lambda k=k: store.page_artifacts(ListOptions(limit=1, next_page_token=token(k))),
                "next_page_token")
    cursor = base64.urlsafe_b64encode(json.dumps([1, "artifact", BIG]).encode()).decode()
    refused(lambda: store.upstream(execution_id=world["e"], limit=1, cursor=cursor), "cursor")
    answers(store)


def test_int64_edges_are_accepted(store: MetadataStore, world: dict[str, int]) -> None:
    top, bottom = 2**63 - 1, -(2**63)
    assert store.get_artifacts_by_id([top, bottom]) == []
    [i] = store.put_artifacts([Artifact(type_id=world["a_type"], properties={"n": top},
                                        custom_properties={"lo": bottom, "s": {"k": [top, bottom]}})])
    [back] = store.get_artifacts_by_id([i])
    assert back.properties["n"] == top and back.custom_properties["lo"] == bottom
    assert back.custom_properties["s"] == {"k": [top, bottom]}
    store.put_events([Event(artifact_id=i, execution_id=world["e"], type=EventType.INPUT,
                            milliseconds_since_epoch=top, path=[top, bottom])])
    [event] = [ev for ev in store.get_events_by_artifact_ids([i])]
    assert event.milliseconds_since_epoch == top and event.path == [top, bottom]
    assert store.upstream(artifact_id=world["a"], max_hops=top, limit=top).total == 2  # e, and i through e
    assert store.get_artifacts(ListOptions(limit=top))
    assert store.page_artifacts(ListOptions(limit=top)).next_page_token is None
    answers(store)


def test_meaningless_small_integers(store: MetadataStore, world: dict[str, int]) -> None:
    # as MLMD: unknown (negative, zero) ids are simply not there; a limit must be positive
    assert store.get_artifacts_by_id([-1, 0]) == []
    refused(lambda: ListOptions(limit=0), "limit")
    refused(lambda: store.upstream(artifact_id=world["a"], max_hops=-1), "max_hops")
    refused(lambda: store.upstream(artifact_id=world["a"], limit=0), "limit")
    answers(store)


# -- items 7 and 8: lone surrogates and NUL in every text field ---------------------------------

def _text_calls(store: MetadataStore, w: dict[str, int], bad: str) -> list[tuple[str, Callable[[], Any]]]:
    """(field the error must name, call) for every name, key and identifier the API takes."""
    at, et, ct = w["a_type"], w["e_type"], w["c_type"]
    return [
        ("name", lambda: store.put_artifact_type(ArtifactType(name=bad))),
        ("version", lambda: store.put_execution_type(ExecutionType(name="V", version=bad))),
        ("external_id", lambda: store.put_context_type(ContextType(name="X", external_id=bad))),
        ("properties", lambda: store.put_artifact_type(ArtifactType(name="K", properties={bad: PropertyType.INT}))),
        ("uri", lambda: store.put_artifacts([Artifact(type_id=at, uri=bad)])),
        ("name", lambda: store.put_executions([Execution(type_id=et, name=bad)])),
        ("name", lambda: store.put_contexts([Context(type_id=ct, name=bad)])),
        ("external_id", lambda: store.put_artifacts([Artifact(type_id=at, external_id=bad)])),
        ("type", lambda: store.put_artifacts([Artifact(type=bad)])),
        ("custom_properties[", lambda: store.put_artifacts([Artifact(type_id=at, custom_properties={bad: 1})])),
        ("properties[", lambda: store.put_artifacts([Artifact(type_id=at, properties={bad: 1})])),
        ("uri", lambda: store.get_artifacts_by_uri(bad)),
        ("type_name", lambda: store.get_artifact_type(bad)),
        ("type_version", lambda: store.get_execution_type("Step", bad)),
        ("type_name", lambda: store.get_contexts_by_type(bad)),
        ("context_name", lambda: store.get_context_by_type_and_name("Run", bad)),
        ("external_ids", lambda: store.get_artifacts_by_external_ids(["ok", bad])),
        ("external_ids", lambda: store.get_execution_types_by_external_ids([bad])),
        ("next_page_token", lambda: store.page_artifacts(ListOptions(next_page_token=bad))),
    ]


def _free_text_calls(store: MetadataStore, w: dict[str, int], bad: str) -> list[tuple[str, Callable[[], Any]]]:
    """Free text: refused with a lone surrogate, stored exactly with NUL (see test_nul_in_free_text)."""
    at = w["a_type"]

    def art(**fields: Any) -> Any:
        return store.put_artifacts([Artifact(type_id=at, **fields)])
    return [
        ("description", lambda: store.put_artifact_type(ArtifactType(name="D", description=bad))),
        ("custom_properties['v']", lambda: art(custom_properties={"v": bad})),
        ("properties['s']['k']", lambda: art(properties={"s": {"k": [bad]}})),
        ("custom_properties['s'][", lambda: art(custom_properties={"s": {bad: 1}})),
        ("path", lambda: store.put_events([Event(artifact_id=w["a"], execution_id=w["e"], type=EventType.INPUT,
                                                 path=[bad])])),
        ("type_url", lambda: store.put_artifacts([Artifact(type_id=at, custom_properties={
            "p": ProtoValue(type_url=bad)})])),
        ("mark", lambda: store.impact([w["a"]], mark=bad)),
    ]


def test_lone_surrogates_are_refused_in_every_text_field(store: MetadataStore, world: dict[str, int]) -> None:
    for field, call in _text_calls(store, world, SURROGATE) + _free_text_calls(store, world, SURROGATE):
        assert "lone surrogate" in refused(call, field)
    # a filter's text is checked by its lexer, which gives the position
    for call in (lambda: store.get_artifacts(ListOptions(filter_query=f"uri = '{SURROGATE}'")),
                 lambda: store.impact(filter_query=f"uri = '{SURROGATE}'")):
        refused(call, "invalid character", "line 1, column", error=FilterSyntaxError)
    answers(store)


def test_nul_is_refused_in_names_keys_and_identifiers(store: MetadataStore, world: dict[str, int]) -> None:
    for field, call in _text_calls(store, world, NUL):
        assert "NUL" in refused(call, field)
    answers(store)


def test_nul_in_free_text_round_trips(store: MetadataStore, world: dict[str, int]) -> None:
    store.put_artifact_type(ArtifactType(name="D", description=NUL))
    assert store.get_artifact_type("D").description == NUL
    proto = ProtoValue(type_url=NUL, value=b"\x00\xff")
    [i] = store.put_artifacts([Artifact(type_id=world["a_type"], properties={"s": {NUL: [NUL]}},
                                        custom_properties={"v": NUL, "p": proto})])
    [back] = store.get_artifacts_by_id([i])
    assert back.properties["s"] == {NUL: [NUL]}
    assert back.custom_properties == {"v": NUL, "p": proto}
    got = {a.id for a in store.get_artifacts(ListOptions(filter_query=f"custom_properties.v.string_value = '{NUL}'"))}
    assert got == {i}
    store.put_events([Event(artifact_id=i, execution_id=world["e"], type=EventType.INPUT, path=[NUL, 0])])
    assert [e.path for e in store.get_events_by_artifact_ids([i])] == [[NUL, 0]]
    answers(store)


# -- item 7: deep and huge STRUCTs -------------------------------------------------------------

def _nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(depth - 1):
        value = {"a": value}
    return value


def test_struct_depth_limit(store: MetadataStore, world: dict[str, int]) -> None:
    [i] = store.put_artifacts([Artifact(type_id=world["a_type"], custom_properties={"s": _nested(64)})])
    assert store.get_artifacts_by_id([i])[0].custom_properties["s"] == _nested(64)
    for depth in (65, 1000, 100_000):
        refused(lambda depth=depth: store.put_artifacts([Artifact(
            type_id=world["a_type"], custom_properties={"s": _nested(depth)})]),
            "custom_properties['s']", "struct_depth", "64")
    nested_list: list[Any] = []
    for _ in range(70):
        nested_list = [nested_list]
    refused(lambda: store.put_artifacts([Artifact(type_id=world["a_type"], properties={"s": nested_list})]),
            "properties['s']", "struct_depth")
    answers(store)


def test_struct_and_proto_size_limits(store: MetadataStore, world: dict[str, int]) -> None:
    big = "x" * (16 * 2**20)
    refused(lambda: store.put_artifacts([Artifact(type_id=world["a_type"], custom_properties={"s": {"k": big}})]),
            "custom_properties['s']", "struct_bytes", "16777216")
    refused(lambda: store.put_artifacts([Artifact(type_id=world["a_type"], custom_properties={
        "p": ProtoValue(type_url="t", value=big.encode() + b"x")})]), "custom_properties['p']", "proto_bytes")
    answers(store)


def test_struct_values_json_cannot_hold_are_refused(store: MetadataStore, world: dict[str, int]) -> None:
    for value, word in (({"outer": {1: "int key"}}, "keys are strings"), ({"t": (1, 2)}, "tuple"),
                        ({"s": {1, 2}}, "set"), ({"b": b"x"}, "bytes")):
        refused(lambda value=value: store.put_artifacts([Artifact(
            type_id=world["a_type"], custom_properties={"s": value})]), "custom_properties['s']", word)
    answers(store)


# -- item 10: a dict is a STRUCT, a ProtoValue a PROTO ------------------------------------------

def test_struct_with_proto_like_keys_stays_a_dict(store: MetadataStore, world: dict[str, int]) -> None:
    dicts = [{"type_url": "x"}, {"type_url": "x", "value": ""}, {"type_url": "x", "value": "AA=="}]
    proto = ProtoValue(type_url="type.googleapis.com/x", value=b"\x01\x02")
    custom: dict[str, Any] = {f"d{i}": d for i, d in enumerate(dicts)}
    custom["p"] = proto
    [i] = store.put_artifacts([Artifact(type_id=world["a_type"], properties={"s": dicts[0]},
                                        custom_properties=custom)])
    [back] = store.get_artifacts_by_id([i])
    assert back.properties["s"] == dicts[0] and type(back.properties["s"]) is dict
    for k, d in enumerate(dicts):
        assert back.custom_properties[f"d{k}"] == d and type(back.custom_properties[f"d{k}"]) is dict
    assert back.custom_properties["p"] == proto
    # a dict given where the type declares STRUCT, and through model_validate, stays a dict too
    [j] = store.put_artifacts([{"type_id": world["a_type"], "custom_properties": {"d": dicts[0]}}])  # type: ignore[list-item]
    assert store.get_artifacts_by_id([j])[0].custom_properties["d"] == dicts[0]
    answers(store)


# -- batch size: one call is one transaction -----------------------------------------------------

def test_batches_over_the_limit_are_refused_before_anything_is_written(
        store: MetadataStore, world: dict[str, int]) -> None:
    node = Artifact(type_id=world["a_type"], uri="/many")
    refused(lambda: store.put_artifacts([node] * 50_001), "artifacts", "batch_records", "50000")
    refused(lambda: store.put_lineage_subgraph([Execution(type_id=world["e_type"])] * 25_000, [node] * 25_001,
                                               [], []), "event_edges", "batch_records")
    assert store.get_artifacts_by_uri("/many") == []
    answers(store)
