"""The API work of one planned change, and the building blocks kinds compile changes with.

A resource kind turns each of its :class:`~ascsync.engine.plan.Change` s into an
:class:`Op`: a function that makes the calls, given the client and the :class:`Ids` of
the run. Creates record the id they got under their plan address, so a child created in
the same run (a localization of a new version, a tester of a new group) can refer to it;
a :class:`Parent` is either live already or such an address.

Every op built here is safe to run again after a lost answer: a PATCH sets values, a
DELETE that finds nothing (404) is done, and a POST that may have reached Apple (a
timeout, a 5xx, a connection dropped after sending) is followed by a look-up under its
parent (:func:`post_once`): what is found is adopted; what is not is created again, at
most :data:`CREATE_ATTEMPTS` times in all. So one apply converges through a flaky API
without leaving a duplicate.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ascsync.api.client import ApiClient, ApiError, MaybeAppliedError
from ascsync.api.jsonapi import resource_body
from ascsync.desired.model import LIVE, Field, Record
from ascsync.engine.mapping import apple_changes
from ascsync.engine.plan import Action, Change, address_keys
from ascsync.engine.planner import relative
from ascsync.errors import AscsyncError

SETTLE_SECONDS = 1.0
"""How long to wait before a second look for a create that timed out: the request may
still be running at Apple when the first look finds nothing."""

CONFLICT = 409
CREATE_ATTEMPTS = 5
"""POSTs of one create, in all, when each may or may not have been applied."""

Finder = Callable[[ApiClient], "str | None"]
"""Looks up what a POST would have created; its id, or None when it does not exist."""


class Ids:
    """Ids known at run time: live ids from the plan, plus those creates hand out."""

    def __init__(self) -> None:
        self._by_address: dict[str, str] = {}
        self._lock = threading.Lock()

    def set(self, address: str, id_: str) -> None:
        with self._lock:
            self._by_address[address] = id_

    def get(self, address: str) -> str:
        with self._lock:
            if address not in self._by_address:
                raise AscsyncError(f"{address} has no id yet (its create did not succeed)")
            return self._by_address[address]


@dataclass
class Op:
    """The API work of one change; ``run`` raises on failure.

    ``deletes`` names the JSON:API type a DELETE op removes (or unlinks), so the deletion
    guard can be checked against every op a kind can emit.
    """

    run: Callable[[ApiClient, Ids], None]
    deletes: str | None = None


@dataclass(frozen=True)
class Parent:
    """A resource a new one hangs off: live already, or created earlier in this run.

    ``collection`` is the path its children are listed under (``/v2/inAppPurchases``), so
    a create that may have been applied can be looked up under it.
    """

    type: str
    live_id: str | None
    address: str
    collection: str

    def id(self, ids: Ids) -> str:
        return self.live_id or ids.get(self.address)


def need(value: str | None, what: str) -> str:
    """A live id the change needs; its absence means the plan is out of date."""
    if not value:
        raise AscsyncError(f"the live {what} was not found; run plan again")
    return value


def patch_op(
    resource: str,
    id_: str,
    attributes: dict[str, Any],
    relationships: dict[str, tuple[str, str] | None] | None = None,
    *,
    version: str = "v1",
) -> Op:
    """PATCH ``/{version}/{resource}/{id}`` with the changed attributes."""

    def run(client: ApiClient, ids: Ids) -> None:
        client.patch(
            f"/{version}/{resource}/{id_}",
            resource_body(resource, attributes or None, relationships, id_=id_),
        )

    return Op(run)


def delete_op(resource: str, id_: str) -> Op:
    """DELETE one resource; already gone (404, a retry after a lost answer) is done."""

    def run(client: ApiClient, ids: Ids) -> None:
        try:
            client.delete(f"/v1/{resource}/{id_}")
        except ApiError as error:
            if error.status != 404:
                raise

    return Op(run, deletes=resource)


def create_op(
    path: str,
    resource: str,
    attributes: dict[str, Any],
    parents: dict[str, Parent],
    address: str,
    find: Callable[[ApiClient, dict[str, str]], str | None] | None = None,
    adopted: Callable[[ApiClient, str], None] | None = None,
) -> Op:
    """POST a new resource under its parents and record its id under ``address``.

    ``find(client, parent ids by relationship)`` looks the resource up after a POST that
    may have been applied, so a retry adopts it instead of creating a duplicate (see
    :func:`post_once`). Every create should have one: without it, a lost answer fails the
    change rather than risk a second resource. ``adopted(client, id)`` runs on a resource
    taken over that way (it may have existed before, with other values).
    """

    def run(client: ApiClient, ids: Ids) -> None:
        parent_ids = {name: parent.id(ids) for name, parent in parents.items()}
        relationships = {
            name: (parents[name].type, parent_id) for name, parent_id in parent_ids.items()
        }
        body = resource_body(
            resource, {k: v for k, v in attributes.items() if v is not None}, relationships
        )
        ids.set(
            address,
            post_once(
                client,
                path,
                body,
                (lambda c: find(c, parent_ids)) if find else None,
                what=address,
                adopted=adopted,
            ),
        )

    return Op(run)


def post_once(
    client: ApiClient,
    path: str,
    body: dict[str, Any],
    find: Finder | None,
    *,
    what: str,
    repeatable: bool = False,
    adopted: Callable[[ApiClient, str], None] | None = None,
) -> str:
    """POST ``body`` so that it takes effect once, whatever answers are lost on the way.

    After an answer that leaves it unknown whether Apple applied the POST, ``find`` looks
    for the result (twice, a moment apart): found, it is adopted; not found, the POST is
    sent again, at most :data:`CREATE_ATTEMPTS` times. Without a ``find`` the POST is
    repeated only when ``repeatable`` (it sets a whole value, like a price schedule);
    otherwise the error stands, rather than risk a duplicate. Returns the id.
    """
    last: MaybeAppliedError | None = None
    for attempt in range(1, CREATE_ATTEMPTS + 1):
        try:
            created = client.post(path, body)
        except MaybeAppliedError as error:
            last = error
            found = _look_twice(find, client) if find else None
            if found is not None:
                if adopted:
                    adopted(client, found)
                return found
            if find is None and not repeatable:
                raise
            client.notify_wait(
                SETTLE_SECONDS * attempt,
                f"another try at creating {what} ({error.status or 'no answer'})",
            )
            time.sleep(SETTLE_SECONDS * attempt)
            continue
        return str(created.resource["id"])
    assert last is not None
    raise last


def add_members(client: ApiClient, path: str, body: dict[str, Any]) -> None:
    """POST to a to-many relationship (204, no document). Adding a member twice changes
    nothing, so a POST whose answer was lost is simply sent again."""
    for attempt in range(1, CREATE_ATTEMPTS + 1):
        try:
            client.request("POST", path, json=body)
            return
        except MaybeAppliedError:
            if attempt == CREATE_ATTEMPTS:
                raise


def _look_twice(find: Finder, client: ApiClient) -> str | None:
    found = find(client)
    if found is None:
        time.sleep(SETTLE_SECONDS)
        found = find(client)
    return found


def find_related(client: ApiClient, path: str) -> str | None:
    """The id of the to-one resource at ``path`` (``.../appStoreReviewDetail``), if any."""
    try:
        doc = client.get(path)
    except ApiError as error:
        if error.status == 404:
            return None
        raise
    data = doc.data
    return str(data["id"]) if isinstance(data, dict) and data.get("id") else None


def find_child(
    client: ApiClient,
    path: str,
    resource: str,
    attribute: str,
    value: str,
    filters: dict[str, str] | None = None,
) -> str | None:
    """The id of the resource listed at ``path`` whose ``attribute`` equals ``value``.

    ``filters`` narrow the listing server-side (``{"productId": value}``) where Apple
    offers a filter; the match is checked here either way.
    """
    params: dict[str, Any] = {f"filter[{k}]": [v] for k, v in (filters or {}).items()}
    params[f"fields[{resource}]"] = [attribute]
    doc = client.get_all(path, params)
    return next(
        (r["id"] for r in doc.resources() if (r.get("attributes") or {}).get(attribute) == value),
        None,
    )


def attributes_for(
    fields: Iterable[Field], change: Change, record: Record, prefix: str, resource: str
) -> dict[str, Any]:
    """Apple attributes of the changed fields, read from ``record`` (keys under ``prefix``)."""
    flat = Record(LIVE, relative(record, prefix))
    keys = [f.name for f in change.fields]
    return apple_changes(fields, keys, flat).get(resource, {})


def localization_op(
    change: Change,
    *,
    fields: Iterable[Field],
    wanted: Record | None,
    prefix: str,
    parent_relationship: str,
    parent: Parent,
    live_id: str | None,
    related: str | None = None,
) -> Op:
    """Create, update or delete one localization (all localization types are ``/v1``).

    ``related`` names the parent's relationship that lists its localizations where it is
    not the localization type (an event's are at ``/v1/appEvents/{id}/localizations``).
    """
    resource = change.resource
    code = change.locale or address_keys(change.address)["locale"][0]
    if change.action is Action.DELETE:
        return delete_op(resource, need(live_id, f"{code} localization"))
    if wanted is None:
        raise AscsyncError(f"{change.address}: the {code} localization is not in the repo")
    attributes = attributes_for(fields, change, wanted, prefix, resource)
    if change.action is Action.UPDATE:
        return patch_op(resource, need(live_id, f"{code} localization"), attributes)

    seen: dict[str, dict[str, Any]] = {}  # attributes of what find found, by id

    def find(client: ApiClient, parent_ids: dict[str, str]) -> str | None:
        path = f"{parent.collection}/{parent_ids[parent_relationship]}/{related or resource}"
        doc = client.get_all(path, {f"fields[{resource}]": ["locale", *attributes]})
        for item in doc.resources():
            values = item.get("attributes") or {}
            if values.get("locale") == code:
                seen[item["id"]] = values
                return str(item["id"])
        return None

    def give_values(client: ApiClient, found: str) -> None:
        """The one found may be Apple's own (a new version's languages), not ours."""
        have = seen.get(found, {})
        differ = {k: v for k, v in attributes.items() if have.get(k) != v}
        if differ:
            client.patch(f"/v1/{resource}/{found}", resource_body(resource, differ, id_=found))

    create = create_op(
        f"/v1/{resource}",
        resource,
        {"locale": code, **attributes},
        {parent_relationship: parent},
        change.address,
        find=find,
        adopted=give_values,
    )

    def run(client: ApiClient, ids: Ids) -> None:
        try:
            create.run(client, ids)
        except ApiError as error:
            # Apple made it meanwhile (a new version starts with its primary language
            # [U]): take it over and give it the repo's values.
            found = find(client, {parent_relationship: parent.id(ids)})
            if error.status != CONFLICT or found is None:
                raise
            ids.set(change.address, found)
            give_values(client, found)

    return Op(run)


def failing_op(message: str) -> Op:
    """An op that fails with ``message`` when run: the change fails, the rest goes on."""

    def fail(client: ApiClient, ids: Ids) -> None:
        raise AscsyncError(message)

    return Op(fail)


__all__ = [
    "Ids",
    "add_members",
    "Op",
    "Parent",
    "attributes_for",
    "create_op",
    "delete_op",
    "failing_op",
    "find_child",
    "find_related",
    "localization_op",
    "need",
    "patch_op",
    "post_once",
]
