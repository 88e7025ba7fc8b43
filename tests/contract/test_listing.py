"""ListOptions ordering and limits, and keyset paging, on every engine."""

from __future__ import annotations

import time

import pytest

from graphstore import (
    Artifact,
    ArtifactType,
    Attribution,
    Context,
    ContextType,
    InvalidArgument,
    ListOptions,
    MetadataStore,
    OrderByField,
)


@pytest.fixture
def model_type(store: MetadataStore) -> int:
    return store.put_artifact_type(ArtifactType(name="Model"))


def test_default_order_is_ascending_id(store: MetadataStore, model_type: int) -> None:
    ids = store.put_artifacts([Artifact(type_id=model_type) for _ in range(5)])
    assert [a.id for a in store.get_artifacts()] == ids
    assert [a.id for a in store.get_artifacts(ListOptions(is_asc=False))] == ids[::-1]
    assert [a.id for a in store.get_artifacts(ListOptions(limit=2))] == ids[:2]
    assert [a.id for a in store.get_artifacts(ListOptions(limit=2, is_asc=False))] == ids[:2:-1][:2]


def test_order_by_update_time(store: MetadataStore, model_type: int) -> None:
    ids = store.put_artifacts([Artifact(type_id=model_type) for _ in range(3)])
    time.sleep(0.005)  # update times have millisecond resolution
    store.put_artifacts([Artifact(id=ids[0], type_id=model_type, uri="/touched")])
    newest_first = store.get_artifacts(ListOptions(order_by=OrderByField.LAST_UPDATE_TIME,
                                                   is_asc=False, limit=1))
    assert [a.id for a in newest_first] == [ids[0]]
    by_create = store.get_artifacts(ListOptions(order_by=OrderByField.CREATE_TIME))
    assert [a.id for a in by_create] == ids


def test_paging_1050_with_inserts_between_pages(store: MetadataStore, model_type: int) -> None:
    other = store.put_artifact_type(ArtifactType(name="Other"))
    ids = store.put_artifacts([Artifact(type_id=model_type, uri=f"/m/{i}") for i in range(1050)])
    store.put_artifacts([Artifact(type_id=other, uri=f"/m/x{i}") for i in range(30)])  # not matching
    seen: list[int] = []
    options = ListOptions(limit=100, filter_query="type = 'Model' AND uri LIKE '/m/%'")
    pages = 0
    while True:
        page = store.page_artifacts(options)
        seen += [a.id for a in page.items]  # type: ignore[misc]
        pages += 1
        # another writer inserts between pages: new rows sort after the cursor and
        # must show up exactly once, at the end
        if pages == 3:
            ids += store.put_artifacts([Artifact(type_id=model_type, uri=f"/m/new{i}") for i in range(7)])
            store.put_artifacts([Artifact(type_id=other, uri="/m/other")])
        if page.next_page_token is None:
            break
        options = options.model_copy(update={"next_page_token": page.next_page_token})
    assert seen == ids
    assert pages == 11


def test_paging_descending_by_create_time(store: MetadataStore, model_type: int) -> None:
    ids = store.put_artifacts([Artifact(type_id=model_type) for _ in range(250)])
    got = [a.id for a in store.iter_artifacts(ListOptions(limit=40, is_asc=False,
                                                          order_by=OrderByField.CREATE_TIME))]
    # one batch shares a create time, so the id breaks ties — in the same direction
    assert got == ids[::-1]


def test_iter_by_context(store: MetadataStore, model_type: int) -> None:
    ct = store.put_context_type(ContextType(name="Run"))
    [c] = store.put_contexts([Context(type_id=ct, name="r")])
    ids = store.put_artifacts([Artifact(type_id=model_type) for _ in range(30)])
    store.put_attributions_and_associations(
        [Attribution(artifact_id=a, context_id=c) for a in ids[::2]], [])
    assert [a.id for a in store.iter_artifacts(ListOptions(limit=4), context_id=c)] == ids[::2]
    assert [a.id for a in store.get_artifacts_by_context(c, ListOptions(limit=3))] == ids[:6:2]


def test_bad_tokens_and_options(store: MetadataStore, model_type: int) -> None:
    store.put_artifacts([Artifact(type_id=model_type) for _ in range(3)])
    page = store.page_artifacts(ListOptions(limit=1))
    assert page.next_page_token
    with pytest.raises(InvalidArgument, match="another query"):
        store.page_artifacts(ListOptions(limit=1, is_asc=False, next_page_token=page.next_page_token))
    with pytest.raises(InvalidArgument, match="not a page token"):
        store.page_artifacts(ListOptions(next_page_token="garbage!"))
    with pytest.raises(InvalidArgument, match="ListOptions"):
        store.get_artifacts({"limit": 1})  # type: ignore[arg-type]
