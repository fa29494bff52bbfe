"""The derived surface: faithful to Apple's spec where it matters, compact, reproducible."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ascsync.sandbox.hooks import SandboxError
from ascsync.sandbox.spec_validator import SpecValidator
from ascsync.sandbox.surface import SURFACE_FILE, load_surface
from tests.spec_audit import SPEC_PATH, SpecAudit

REPO = Path(__file__).resolve().parents[2]
needs_spec = pytest.mark.skipif(not SPEC_PATH.is_file(), reason="Apple's openapi.json is absent")


@pytest.fixture(scope="module")
def surface():
    return load_surface()


def test_surface_file_is_compact():
    assert SURFACE_FILE.stat().st_size < 1_500_000


@needs_spec
def test_rerunning_the_derivation_reproduces_the_committed_file(tmp_path):
    out = tmp_path / "surface.json"
    script = REPO / "scripts" / "derive_sandbox_surface.py"
    subprocess.run(
        [sys.executable, str(script), "--spec", str(SPEC_PATH), "--out", str(out)],
        check=True,
        capture_output=True,
    )
    assert out.read_bytes() == SURFACE_FILE.read_bytes()


def test_gotchas_from_the_spec(surface):
    methods = {(op.method, op.path) for op in surface.operations}
    assert ("POST", "/v1/appScreenshotSets") in methods
    assert ("PATCH", "/v1/appScreenshotSets/{id}") not in methods  # no PATCH on sets
    assert ("GET", "/v2/inAppPurchases/{id}") in methods
    assert ("GET", "/v1/inAppPurchases/{id}") not in methods  # legacy v1 IAPs not served
    assert ("POST", "/v1/apps") not in methods and ("PATCH", "/v1/apps/{id}") in methods
    op, params = surface.match("GET", "/v2/inAppPurchases/abc")
    assert (op.type, params) == ("inAppPurchases", {"id": "abc"})
    assert "uploaded" not in surface.types["appScreenshots"].attributes  # write-only
    create = surface.match("POST", "/v1/appScreenshots")[0].body
    assert set(create.required_attributes) == {"fileName", "fileSize"}
    assert create.required_relationships == ("appScreenshotSet",)


def test_relationship_inverses(surface):
    relationships = surface.relationship_map()
    assert relationships["apps"]["appStoreVersions"].inverse == "app"
    assert relationships["appStoreVersions"]["app"].inverse == "appStoreVersions"
    assert relationships["appScreenshotSets"]["appScreenshots"].inverse == "appScreenshotSet"
    assert relationships["inAppPurchases"]["app"].inverse == "inAppPurchasesV2"
    assert relationships["appCategories"]["parent"].inverse == "subcategories"
    assert relationships["betaGroups"]["betaTesters"].to_many is True


def test_limits_and_enums_come_from_the_spec(surface):
    op = surface.match("GET", "/v1/apps")[0]
    assert op.params["limit"].maximum == 200
    assert "appStoreVersions" in op.params["include"].enum
    with pytest.raises(SandboxError) as raised:
        surface.parse_query(op, [("include", "appStoreVersions,unknownThing")])
    assert raised.value.code == "PARAMETER_ERROR.INVALID"
    query = surface.parse_query(op, [("filter[bundleId]", "a,b"), ("limit", "7")])
    assert (query.filters, query.limit) == ({"bundleId": ["a", "b"]}, 7)


def test_nested_attribute_values_are_checked(surface):
    op = surface.match("PATCH", "/v1/appStoreReviewDetails/x")[0]
    body = {"data": {"type": "appStoreReviewDetails", "id": "x", "attributes": {}}}
    body["data"]["attributes"]["demoAccountRequired"] = "yes"
    with pytest.raises(SandboxError) as raised:
        surface.parse_body(op, body, "x")
    assert raised.value.code == "ENTITY_ERROR.ATTRIBUTE.TYPE"
    assert raised.value.pointer == "/data/attributes/demoAccountRequired"


@needs_spec
def test_spec_validator_reports_what_apple_does_not_allow():
    validator = SpecValidator.from_file(SPEC_PATH)
    assert validator.check("GET", "/v1/apps", [("limit", "200")], None) == []
    assert validator.check("GET", "/v1/apps", [("cursor", "abc"), ("limit", "2")], None) == []
    assert "not declared" in validator.check("GET", "/v1/apps", [("color", "red")], None)[0]
    assert "exceeds 200" in validator.check("GET", "/v1/apps", [("limit", "201")], None)[0]
    assert "not defined" in validator.check("PATCH", "/v1/appScreenshotSets/1", [], {})[0]
    assert "not in the spec" in validator.check("GET", "/v9/whatever", [], None)[0]
    nullable = {
        "data": {"type": "apps", "id": "1", "attributes": {"contentRightsDeclaration": None}}
    }
    assert validator.check("PATCH", "/v1/apps/1", [], nullable) == []
    unknown = {"data": {"type": "apps", "id": "1", "attributes": {"bogus": 1}}}
    assert validator.check("PATCH", "/v1/apps/1", [], unknown)


@needs_spec
def test_the_audit_reports_unexempted_invalid_requests_and_skips_exempt_ones():
    from ascsync.sandbox.journal import JournalEntry

    audit = SpecAudit(current_test="t::invalid")
    audit.observe(JournalEntry("GET", "/v1/apps", [("limit", "999")], 400, 1.0))
    audit.observe(JournalEntry("GET", "/v1/apps", [("sort", "x")], 400, 1.0, expect_invalid=True))
    audit.current_exempt = True
    audit.observe(JournalEntry("GET", "/v1/apps", [("bogus", "1")], 400, 1.0))
    audit.current_exempt = False
    audit.observe(JournalEntry("GET", "/v1/apps", [("limit", "10")], 200, 1.0))
    problems = audit.problems(SpecValidator.from_file(SPEC_PATH))
    assert problems == [
        "t::invalid: GET /v1/apps?limit=999: query parameter 'limit': 999 exceeds 200"
    ]
    assert audit.exempt == 2


@needs_spec
def test_the_audit_reports_answers_that_depart_from_the_response_schemas():
    import json

    from ascsync.sandbox.journal import JournalEntry

    def answered(method, path, status, answer, body=None):
        entry = JournalEntry(method, path, [], status, 1.0, body)
        entry.response = json.dumps(answer).encode()
        audit.observe(entry)

    audit = SpecAudit(current_test="t::answers")
    app = {"type": "apps", "id": "1", "attributes": {"name": None}, "links": {"self": "u"}}
    answered("GET", "/v1/apps/1", 200, {"data": app, "links": {"self": "u"}})  # null: fine
    wrong = {**app, "attributes": {"name": 7}}
    answered("GET", "/v1/apps/2", 200, {"data": wrong, "links": {"self": "u"}})
    error = {"status": "409", "code": "ENTITY_ERROR", "title": "t", "detail": "d"}
    body = {"data": [{"type": "betaTesters", "id": "x"}]}
    good = {**error, "source": {"pointer": "/data/0/id"}}
    bad = {**error, "source": {"pointer": "/data/data/0"}}
    answered("POST", "/v1/betaGroups/g/relationships/betaTesters", 409, {"errors": [good]}, body)
    answered("POST", "/v1/betaGroups/h/relationships/betaTesters", 409, {"errors": [bad]}, body)
    answered("GET", "/v1/apps/3", 404, {"errors": [{**error, "code": None}]})
    groups = {"links": {"self": "http://h/v1/builds/4/relationships/betaGroups"}}
    build = {"type": "builds", "id": "4", "links": {"self": "u"}, "relationships": {}}
    build["relationships"]["betaGroups"] = groups  # the spec has no such GET route
    answered("GET", "/v1/builds/4", 200, {"data": build, "links": {"self": "u"}})
    problems = audit.answer_problems(SpecValidator.from_file(SPEC_PATH))
    assert len(problems) == 4, problems
    assert (
        "GET /v1/apps/2 -> 200: response data/attributes/name: 7 is not of type 'string'"
        in (problems[0])
    )
    assert any("'/data/data/0' names no place in the request body" in p for p in problems)
    assert any("GET /v1/apps/3 -> 404: error response" in p for p in problems)
    assert any(
        "builds.betaGroups links.self: /v1/builds/4/relationships/betaGroups" in p for p in problems
    )


INNER_TEST = """
import requests
from ascsync.sandbox import Sandbox


def test_sends_an_unknown_parameter():
    with Sandbox(hooks=[]) as sandbox:
        headers = {"Authorization": "Bearer " + sandbox.token()}
        requests.get(sandbox.url + "/v1/apps?color=red", headers=headers)
        requests.get(sandbox.url + "/v1/apps?limit=300",
                     headers={**headers, "X-Sandbox-Expect-Invalid": "1"})
"""


@needs_spec
@pytest.mark.slow
def test_a_run_with_an_unexempted_invalid_request_fails(tmp_path):
    (tmp_path / "test_inner.py").write_text(INNER_TEST)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "tests.spec_audit",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(tmp_path),
            str(tmp_path / "test_inner.py"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0, result.stdout
    assert "1 passed" in result.stdout
    assert "query parameter 'color' is not declared" in result.stdout
    assert "limit=300" not in result.stdout  # exempt on purpose


def test_the_sandbox_page_lists_what_is_modelled_and_what_is_refused(surface):
    """docs/sandbox.md names every modelled kind and every relationship it refuses."""
    page = (REPO / "docs" / "sandbox.md").read_text(encoding="utf-8")
    modelled, _, refused = page.partition("**Refused with 501**")
    for name in surface.types:
        assert f"`{name}`" in modelled, f"docs/sandbox.md: {name} missing from the modelled list"
    rows = {
        line.split("|")[1].strip(): line.split("|")[2]
        for line in refused.splitlines()
        if line.startswith("| `")
    }
    for name, spec in surface.types.items():
        unmodelled = {
            rel.name
            for rel in spec.relationships.values()
            if not rel.hidden
            and (rel.links or rel.data)
            and not surface.models_relationship(spec, rel.name)
        }
        row = next((cells for kinds, cells in rows.items() if f"`{name}`" in kinds), "")
        listed = {cell.strip() for cell in row.split(",") if cell.strip()}
        assert listed == unmodelled, f"docs/sandbox.md: refused relationships of {name}"
