"""Every validation error of a request in one ErrorResponse; every pointer inside the body."""

from __future__ import annotations

from typing import Any

from tests.sandbox.conftest import INVALID


def resolve(document: Any, pointer: str) -> Any:
    """The value at a JSON pointer (RFC 6901); KeyError/IndexError when it is not there."""
    value = document
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        value = value[int(token)] if isinstance(value, list) else value[token]
    return value


def names_a_place(body: Any, pointer: str) -> bool:
    """The pointer resolves, or names a missing member where it must be added.

    A missing required attribute or relationship is pointed at as Apple does
    (``/data/attributes/platform``): the member (and its ``attributes`` or
    ``relationships`` object) may be absent, but the resource object ``/data`` is there.
    """
    try:
        resolve(body, pointer)
        return True
    except (KeyError, IndexError, TypeError, ValueError):
        head, _, name = pointer.rpartition("/")
        return (
            head in ("/data/attributes", "/data/relationships")
            and bool(name)
            and (isinstance(body.get("data"), dict))
        )


def test_a_create_missing_attributes_and_a_relationship_lists_every_problem(sandbox, api):
    body = {"data": {"type": "appStoreVersions", "attributes": {"copyright": "2026 Ex"}}}
    response = api.post(f"{sandbox.url}/v1/appStoreVersions", json=body, headers=INVALID)
    assert response.status_code == 409
    errors = response.json()["errors"]
    got = {(e["code"], e["source"]["pointer"]) for e in errors}
    assert got == {
        ("ENTITY_ERROR.ATTRIBUTE.REQUIRED", "/data/attributes/platform"),
        ("ENTITY_ERROR.ATTRIBUTE.REQUIRED", "/data/attributes/versionString"),
        ("ENTITY_ERROR.RELATIONSHIP.REQUIRED", "/data/relationships/app"),
    }
    assert len({e["id"] for e in errors}) == 3  # each error has its own id
    assert all(e["status"] == "409" for e in errors)
    assert all(names_a_place(body, e["source"]["pointer"]) for e in errors)


def test_unknown_wrong_and_bad_values_are_reported_together(sandbox, api, make_app):
    app = make_app()
    body = {
        "data": {
            "type": "appStoreVersions",
            "attributes": {
                "platform": "WINDOWS",
                "versionString": 2,
                "colour": "blue",
            },
            "relationships": {
                "app": {"data": {"type": "builds", "id": app.id}},
                "friend": {"data": None},
            },
        }
    }
    response = api.post(f"{sandbox.url}/v1/appStoreVersions", json=body, headers=INVALID)
    assert response.status_code == 409
    pointers = sorted(e["source"]["pointer"] for e in response.json()["errors"])
    assert pointers == [
        "/data/attributes/colour",
        "/data/attributes/platform",
        "/data/attributes/versionString",
        "/data/relationships/app/data/type",
        "/data/relationships/friend",
    ]
    for pointer in pointers:
        resolve(body, pointer)  # every one of them names a value that is there


def test_linkage_request_pointers_name_places_in_that_body(sandbox, api, make_app):
    """Relationship endpoints answer /data/0/..., never /data/data/0."""
    app = make_app()
    group = sandbox.store.create("betaGroups", {"name": "QA"}, {"app": app.ref})
    tester = sandbox.store.create("betaTesters", {"email": "a@example.com"})
    body = {
        "data": [
            {"type": "betaTesters", "id": tester.id},
            {"type": "apps", "id": app.id},
            {"type": "betaTesters"},
        ]
    }
    url = f"{sandbox.url}/v1/betaGroups/{group.id}/relationships/betaTesters"
    response = api.post(url, json=body, headers=INVALID)
    assert response.status_code == 409
    pointers = [e["source"]["pointer"] for e in response.json()["errors"]]
    assert pointers == ["/data/1/type", "/data/2"]
    for pointer in pointers:
        resolve(body, pointer)

    missing = {
        "data": [{"type": "betaTesters", "id": "nobody"}, {"type": "betaTesters", "id": "x"}]
    }
    response = api.post(url, json=missing)
    assert response.status_code == 409
    pointers = [e["source"]["pointer"] for e in response.json()["errors"]]
    assert pointers == ["/data/0/id", "/data/1/id"]
    assert [resolve(missing, p) for p in pointers] == ["nobody", "x"]


def test_parameter_errors_are_reported_together(sandbox, api):
    response = api.get(
        f"{sandbox.url}/v1/apps",
        params={"limit": "900", "include": "nonsense", "colour": "red"},
        headers=INVALID,
    )
    assert response.status_code == 400
    parameters = sorted(e["source"]["parameter"] for e in response.json()["errors"])
    assert parameters == ["colour", "include", "limit"]
