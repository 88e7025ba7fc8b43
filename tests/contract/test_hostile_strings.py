"""Long strings (issue 10, item 9): the engines agree on every indexed field.

Identifiers (type name, version and external_id; node name, external_id and type) have one
documented limit, the same on every engine; uris and declared STRING properties have none an
MLMD user would meet (Neo4j indexes them by a bounded prefix, decision 40) and are found by
every filter form. After each refused write the store still answers.
"""

from __future__ import annotations

from typing import Any

import pytest

from graphstore import (
    Artifact,
    ArtifactType,
    Context,
    ContextType,
    Execution,
    ExecutionType,
    InvalidArgument,
    ListOptions,
    MetadataStore,
    PropertyType,
)
from graphstore.limits import STRING_IDENTIFIER

LIMIT = STRING_IDENTIFIER.maximum
# Four UTF-8 bytes a character: the worst case for Neo4j's index keys, which count bytes.
WIDE = "\U0001f600"


def _answers(store: MetadataStore) -> None:
    """The store still serves reads and writes (no panic, no failed index, no stuck query)."""
    store.put_artifact_type(ArtifactType(name="StillThere"))
    assert store.get_artifact_type("StillThere").name == "StillThere"
    assert isinstance(store.get_artifacts(), list)


def _refused(call: Any, field: str) -> None:
    with pytest.raises(InvalidArgument) as info:
        call()
    message = str(info.value)
    assert field in message and STRING_IDENTIFIER.key in message, message
    assert f"{LIMIT + 1} characters" in message and len(message) < 400, message  # abridged


@pytest.mark.parametrize("attr", ["name", "version", "external_id"])
def test_type_identifiers_at_the_limit_and_over(store: MetadataStore, attr: str) -> None:
    base: dict[str, Any] = {"name": "T", "version": "v1", "external_id": "x"}
    at = dict(base, **{attr: WIDE * LIMIT})
    if attr != "version":
        at["version"] = WIDE * LIMIT  # the widest (kind, name, version) key
    type_id = store.put_artifact_type(ArtifactType(**at))
    [got] = store.get_artifact_types_by_id([type_id])
    assert getattr(got, attr) == at[attr]
    assert store.get_artifact_type(at["name"], at["version"]).id == type_id
    for kind_type, put in ((ArtifactType, store.put_artifact_type), (ExecutionType, store.put_execution_type),
                           (ContextType, store.put_context_type)):
        over = dict(base, **{attr: "t" * (LIMIT + 1)})
        _refused(lambda put=put, kind_type=kind_type, over=over: put(kind_type(**over)), f"_type[0].{attr}")
    _answers(store)


@pytest.mark.parametrize("attr", ["name", "external_id"])
def test_node_identifiers_at_the_limit_and_over(store: MetadataStore, attr: str) -> None:
    at_ = store.put_artifact_type(ArtifactType(name="A"))
    et = store.put_execution_type(ExecutionType(name="E"))
    ct = store.put_context_type(ContextType(name="C"))
    value = WIDE * LIMIT
    [a] = store.put_artifacts([Artifact(type_id=at_, **{attr: value})])
    [e] = store.put_executions([Execution(type_id=et, **{attr: value})])
    [c] = store.put_contexts([Context(type_id=ct, **{"name": "c", attr: value})])
    assert getattr(store.get_artifacts_by_id([a])[0], attr) == value
    assert getattr(store.get_executions_by_id([e])[0], attr) == value
    assert getattr(store.get_contexts_by_id([c])[0], attr) == value
    if attr == "name":
        assert store.get_context_by_type_and_name("C", value).id == c  # type: ignore[union-attr]
    else:
        assert [x.id for x in store.get_artifacts_by_external_ids([value])] == [a]
    over = "n" * (LIMIT + 1)
    _refused(lambda: store.put_artifacts([Artifact(type_id=at_, **{attr: over})]), f"artifacts[0].{attr}")
    _refused(lambda: store.put_executions([Execution(type_id=et, **{attr: over})]), f"executions[0].{attr}")
    _refused(lambda: store.put_contexts([Context(type_id=ct, **{"name": "d", attr: over})]), f"contexts[0].{attr}")
    _answers(store)


def test_a_type_named_over_the_limit_is_refused_on_nodes(store: MetadataStore) -> None:
    _refused(lambda: store.put_artifacts([Artifact(type="T" * (LIMIT + 1))]), "artifacts[0].type")
    _answers(store)


LONG_SIZES = [9_000, 100_000]


@pytest.fixture
def long_world(store: MetadataStore) -> dict[str, Any]:
    """Artifacts whose uri and declared STRING property are far past any index key."""
    t = store.put_artifact_type(ArtifactType(name="Blob", properties={"text": PropertyType.STRING}))
    values = {n: ("é" * (n // 2)) + WIDE * 10 + str(n) for n in LONG_SIZES}
    # two values sharing their first 1,000+ characters: the index key alone cannot tell them apart
    twin = values[100_000][:-6] + "twin!"
    ids = store.put_artifacts(
        [Artifact(type_id=t, uri=v, properties={"text": v}) for v in values.values()]
        + [Artifact(type_id=t, uri=twin, properties={"text": twin}),
           Artifact(type_id=t, uri="short", properties={"text": "short"})])
    return {"ids": ids, "values": list(values.values()), "twin": twin}


def _found(store: MetadataStore, query: str) -> list[int | None]:
    return [a.id for a in store.get_artifacts(ListOptions(filter_query=query))]


def test_long_uris_and_string_properties_round_trip(store: MetadataStore, long_world: dict[str, Any]) -> None:
    got = store.get_artifacts_by_id(long_world["ids"])
    expected = [*long_world["values"], long_world["twin"], "short"]
    assert [a.uri for a in got] == expected
    assert [a.properties["text"] for a in got] == expected
    assert all(set(a.properties) == {"text"} and not a.custom_properties for a in got)  # no key shows


def test_long_values_are_found_by_every_filter_form(store: MetadataStore, long_world: dict[str, Any]) -> None:
    ids, (v9k, v100k), twin = long_world["ids"], long_world["values"], long_world["twin"]
    assert [a.id for a in store.get_artifacts_by_uri(v100k)] == [ids[1]]
    assert [a.id for a in store.get_artifacts_by_uri(twin)] == [ids[2]]
    for field in ("uri", "properties.text.string_value"):
        assert _found(store, f"{field} = '{v9k}'") == [ids[0]]
        assert _found(store, f"{field} = '{twin}'") == [ids[2]]
        assert _found(store, f"{field} IN ('{v100k}', 'short')") == [ids[1], ids[3]]
        assert _found(store, f"{field} != '{v100k}'") == [ids[0], ids[2], ids[3]]
        assert _found(store, f"{field} LIKE '%{WIDE * 10}100000'") == [ids[1]]
        assert _found(store, f"{field} LIKE '%twin_'") == [ids[2]]
        # twin differs from v100k only past the index key: range seeks must still be exact
        # (v9k > twin > v100k > 'short': a wide character sorts after é, 't' after '1')
        assert _found(store, f"{field} < '{v100k}'") == [ids[3]]
        assert _found(store, f"{field} >= '{v100k}'") == [ids[0], ids[1], ids[2]]
        assert _found(store, f"{field} > '{twin}'") == [ids[0]]
        assert _found(store, f"{field} <= '{twin}'") == [ids[1], ids[2], ids[3]]
    _answers(store)


def test_long_values_update_in_place(store: MetadataStore, long_world: dict[str, Any]) -> None:
    [a] = store.get_artifacts_by_id(long_world["ids"][:1])
    a.uri = "u" * 50_000
    a.properties["text"] = "shorter"
    store.put_artifacts([a])
    assert _found(store, "uri = '" + "u" * 50_000 + "'") == [a.id]
    assert _found(store, "properties.text.string_value = 'shorter'") == [a.id]
    assert _found(store, f"uri = '{long_world['values'][0]}'") == []


def test_a_store_made_before_index_keys_is_migrated_on_open(open_store: Any, engine_name: str) -> None:
    """Neo4j stores written before decision 40 get their `_key.*` shadows and indexes."""
    if engine_name != "neo4j":
        pytest.skip("Neo4j storage only: SQLite indexes whole values")
    store = open_store()
    t = store.put_artifact_type(ArtifactType(name="Old", properties={"text": PropertyType.STRING}))
    ids = store.put_artifacts([Artifact(type_id=t, uri=f"/old/{i}", properties={"text": f"t{i}"})
                               for i in range(3)])
    driver = store._engine._driver
    # what such a store looked like: no shadows, plain indexes on uri and on the property
    driver.execute_query("MATCH (n:Artifact) REMOVE n.`_key.uri`, n.`_key.properties.text`")
    for name in [r["name"] for r in driver.execute_query(
            "SHOW RANGE INDEXES YIELD name, properties WHERE any(p IN properties WHERE p STARTS WITH '_key.') "
            "RETURN name").records]:
        driver.execute_query(f"DROP INDEX `{name}`")
    driver.execute_query("CREATE RANGE INDEX graphstore_artifact_uri FOR (n:Artifact) ON (n.uri)")
    driver.execute_query("CREATE RANGE INDEX old_text FOR (n:Artifact) ON (n.`properties.text`)")
    driver.execute_query("MATCH (m:GraphstoreSchema) SET m.ddl = 'before-28'")
    store.close()
    store = open_store()
    driver = store._engine._driver
    names = {r["name"] for r in driver.execute_query("SHOW RANGE INDEXES YIELD name RETURN name").records}
    assert "graphstore_artifact_uri" not in names and "old_text" not in names, names
    assert [a.id for a in store.get_artifacts_by_uri("/old/1")] == [ids[1]]
    assert _found(store, "properties.text.string_value = 't2'") == [ids[2]]
    long = "L" * 30_000
    [new] = store.put_artifacts([Artifact(type_id=t, uri=long, properties={"text": long})])
    assert _found(store, f"uri = '{long}'") == [new] == _found(store, f"properties.text.string_value = '{long}'")
