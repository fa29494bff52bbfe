#!/usr/bin/env python3
"""Derive the API surface the sandbox serves from Apple's OpenAPI description.

The sandbox must not embed Apple's 7 MB spec, but it must answer exactly like it: the
same paths, query parameters, enums, attribute types and required fields. This script
keeps only the resource kinds ascsync manages and writes them, resolved and compact, to
``ascsync/sandbox/surface.json``. Re-running it on the same spec gives the same bytes.

Usage: ``python scripts/derive_sandbox_surface.py [--spec PATH] [--out PATH]``
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SPEC = REPO.parent / "shared" / "asc-openapi" / "openapi.json"
DEFAULT_OUT = REPO / "ascsync" / "sandbox" / "surface.json"

# JSON:API type -> (URL version of its own routes, resource schema). Where a type has two
# schemas (v1/v2 localizations share a type; /v1/inAppPurchases is the legacy schema),
# this table picks the one ascsync uses.
TYPES: dict[str, tuple[str, str]] = {
    "apps": ("v1", "App"),
    "appInfos": ("v1", "AppInfo"),
    "ageRatingDeclarations": ("v1", "AgeRatingDeclaration"),
    "appInfoLocalizations": ("v1", "AppInfoLocalization"),
    "appCategories": ("v1", "AppCategory"),
    "appStoreVersions": ("v1", "AppStoreVersion"),
    "appStoreVersionLocalizations": ("v1", "AppStoreVersionLocalization"),
    "appScreenshotSets": ("v1", "AppScreenshotSet"),
    "appScreenshots": ("v1", "AppScreenshot"),
    "appPreviewSets": ("v1", "AppPreviewSet"),
    "appPreviews": ("v1", "AppPreview"),
    "appStoreReviewDetails": ("v1", "AppStoreReviewDetail"),
    "appStoreVersionPhasedReleases": ("v1", "AppStoreVersionPhasedRelease"),
    "reviewSubmissions": ("v1", "ReviewSubmission"),
    "reviewSubmissionItems": ("v1", "ReviewSubmissionItem"),
    "inAppPurchases": ("v2", "InAppPurchaseV2"),
    "inAppPurchaseLocalizations": ("v1", "InAppPurchaseLocalization"),
    "inAppPurchasePriceSchedules": ("v1", "InAppPurchasePriceSchedule"),
    "inAppPurchasePrices": ("v1", "InAppPurchasePrice"),
    "inAppPurchasePricePoints": ("v1", "InAppPurchasePricePoint"),
    "subscriptionGroups": ("v1", "SubscriptionGroup"),
    "subscriptionGroupLocalizations": ("v1", "SubscriptionGroupLocalization"),
    "subscriptions": ("v1", "Subscription"),
    "subscriptionLocalizations": ("v1", "SubscriptionLocalization"),
    "subscriptionPrices": ("v1", "SubscriptionPrice"),
    "subscriptionPricePoints": ("v1", "SubscriptionPricePoint"),
    "betaGroups": ("v1", "BetaGroup"),
    "betaTesters": ("v1", "BetaTester"),
    "betaAppLocalizations": ("v1", "BetaAppLocalization"),
    "betaBuildLocalizations": ("v1", "BetaBuildLocalization"),
    "builds": ("v1", "Build"),
    "territories": ("v1", "Territory"),
    "appAvailabilities": ("v2", "AppAvailabilityV2"),
    "territoryAvailabilities": ("v1", "TerritoryAvailability"),
    "appPriceSchedules": ("v1", "AppPriceSchedule"),
    "appPrices": ("v1", "AppPriceV2"),
    "appPricePoints": ("v3", "AppPricePointV3"),
    # What a TestFlight or submit-for-review flow walks from a build (issue 12).
    "preReleaseVersions": ("v1", "PrereleaseVersion"),
    "buildBetaDetails": ("v1", "BuildBetaDetail"),
    "betaAppReviewSubmissions": ("v1", "BetaAppReviewSubmission"),
    "betaAppReviewDetails": ("v1", "BetaAppReviewDetail"),
    "betaLicenseAgreements": ("v1", "BetaLicenseAgreement"),
    # The rest of the product page (issue 16): custom product pages, in-app events and
    # product page optimization (the V2 experiments; /v1/appStoreVersionExperiments is
    # the deprecated V1 and stays unmodelled).
    "appCustomProductPages": ("v1", "AppCustomProductPage"),
    "appCustomProductPageVersions": ("v1", "AppCustomProductPageVersion"),
    "appCustomProductPageLocalizations": ("v1", "AppCustomProductPageLocalization"),
    "appEvents": ("v1", "AppEvent"),
    "appEventLocalizations": ("v1", "AppEventLocalization"),
    "appEventScreenshots": ("v1", "AppEventScreenshot"),
    "appEventVideoClips": ("v1", "AppEventVideoClip"),
    "appStoreVersionExperiments": ("v2", "AppStoreVersionExperimentV2"),
    "appStoreVersionExperimentTreatments": ("v1", "AppStoreVersionExperimentTreatment"),
    "appStoreVersionExperimentTreatmentLocalizations": (
        "v1",
        "AppStoreVersionExperimentTreatmentLocalization",
    ),
    # Release and monetization (issue 17): product review material, availability, EULA.
    "inAppPurchaseAppStoreReviewScreenshots": ("v1", "InAppPurchaseAppStoreReviewScreenshot"),
    "subscriptionAppStoreReviewScreenshots": ("v1", "SubscriptionAppStoreReviewScreenshot"),
    "inAppPurchaseImages": ("v1", "InAppPurchaseImage"),
    "subscriptionImages": ("v1", "SubscriptionImage"),
    "inAppPurchaseAvailabilities": ("v1", "InAppPurchaseAvailability"),
    "subscriptionAvailabilities": ("v1", "SubscriptionAvailability"),
    "endUserLicenseAgreements": ("v1", "EndUserLicenseAgreement"),
    # Subscription offers (issue 17).
    "subscriptionIntroductoryOffers": ("v1", "SubscriptionIntroductoryOffer"),
    "subscriptionPromotionalOffers": ("v1", "SubscriptionPromotionalOffer"),
    "subscriptionPromotionalOfferPrices": ("v1", "SubscriptionPromotionalOfferPrice"),
    "subscriptionOfferCodes": ("v1", "SubscriptionOfferCode"),
    "subscriptionOfferCodePrices": ("v1", "SubscriptionOfferCodePrice"),
    "subscriptionOfferCodeCustomCodes": ("v1", "SubscriptionOfferCodeCustomCode"),
    "subscriptionOfferCodeOneTimeUseCodes": ("v1", "SubscriptionOfferCodeOneTimeUseCode"),
    # Declarations (issue 17).
    "accessibilityDeclarations": ("v1", "AccessibilityDeclaration"),
    "routingAppCoverages": ("v1", "RoutingAppCoverage"),
}

# Inverse relationships the unique-back-reference heuristic cannot find (same type on
# both sides, or several candidates). ``(type, relationship) -> inverse``; each pair is
# listed once and applied both ways.
INVERSE_OVERRIDES: dict[tuple[str, str], str] = {
    ("appCategories", "subcategories"): "parent",
    # apps also has the legacy ``inAppPurchases`` (v1) relationship to the same type.
    ("inAppPurchases", "app"): "inAppPurchasesV2",
    # a treatment names its test twice (V1 and V2 relationships); the V2 one is kept.
    ("appStoreVersionExperimentTreatments", "appStoreVersionExperimentV2"): (
        "appStoreVersionExperimentTreatments"
    ),
}
# Relationships of modelled kinds whose targets the sandbox never computes. Their routes
# answer 501 (and include/filter on them is refused) rather than an empty list: Apple has
# ~175 equalized prices per price point and computes automatic prices.
UNCOMPUTED: set[tuple[str, str]] = {
    ("appPricePoints", "equalizations"),
    ("inAppPurchasePricePoints", "equalizations"),
    ("subscriptionPricePoints", "equalizations"),
    ("subscriptionPricePoints", "adjustedEqualizations"),
    ("appPriceSchedules", "automaticPrices"),
    ("inAppPurchasePriceSchedules", "automaticPrices"),
    ("apps", "inAppPurchases"),  # the legacy v1 IAPs; the sandbox keeps inAppPurchasesV2
    # Experiments reach versions through latestControlVersion/controlVersions, which the
    # sandbox sets; the versions' own lists of experiments (V1 and V2) it does not keep.
    ("appStoreVersions", "appStoreVersionExperiments"),
    ("appStoreVersions", "appStoreVersionExperimentsV2"),
    ("appStoreVersionExperimentTreatments", "appStoreVersionExperiment"),  # the V1 test
}

# Relationships that must never get an inverse even if the heuristic finds one.
NO_INVERSE: set[tuple[str, str]] = set()

MAX_DEPTH = 8


class Spec:
    """The raw spec with ``$ref`` resolution."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self.schemas: dict[str, Any] = raw["components"]["schemas"]

    def deref(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            schema = self.schemas[schema["$ref"].rsplit("/", 1)[1]]
        return schema

    def ref_name(self, schema: dict[str, Any]) -> str | None:
        ref = schema.get("$ref")
        return ref.rsplit("/", 1)[1] if ref else None

    def compact(self, schema: dict[str, Any], depth: int = 0) -> dict[str, Any]:
        """A resolved, small copy of a schema: type, enum, nullable, format, items, properties."""
        if depth > MAX_DEPTH:
            return {}
        nullable = bool(schema.get("nullable"))
        schema = self.deref(schema)
        out: dict[str, Any] = {}
        for key in ("type", "enum", "format", "maximum", "minimum"):
            if key in schema:
                out[key] = schema[key]
        if nullable or schema.get("nullable"):
            out["nullable"] = True
        if schema.get("deprecated"):
            out["deprecated"] = True
        if "items" in schema:
            out["items"] = self.compact(schema["items"], depth + 1)
        if "properties" in schema:
            out["properties"] = {
                k: self.compact(v, depth + 1) for k, v in sorted(schema["properties"].items())
            }
            if schema.get("required"):
                out["required"] = sorted(schema["required"])
        if "oneOf" in schema:
            out["oneOf"] = [self.compact(s, depth + 1) for s in schema["oneOf"]]
        return out


def data_type_of(spec: Spec, data_schema: dict[str, Any]) -> tuple[str | None, bool]:
    """``(type, to_many)`` of a relationship's ``data`` schema."""
    data_schema = spec.deref(data_schema)
    to_many = data_schema.get("type") == "array"
    item = spec.deref(data_schema["items"]) if to_many else data_schema
    enum = item.get("properties", {}).get("type", {}).get("enum")
    return (enum[0] if enum else None), to_many


def resource_type(spec: Spec, name: str) -> dict[str, Any]:
    """Attributes and relationships of one resource schema."""
    props = spec.schemas[name]["properties"]
    attrs = spec.deref(props.get("attributes", {})).get("properties", {})
    rels = spec.deref(props.get("relationships", {})).get("properties", {})
    relationships: dict[str, Any] = {}
    for rel_name, rel_schema in sorted(rels.items()):
        members = spec.deref(rel_schema).get("properties", {})
        target, to_many = (None, False)
        if "data" in members:
            target, to_many = data_type_of(spec, members["data"])
        relationships[rel_name] = {
            "target": target,
            "to_many": to_many,
            "data": "data" in members,
            "links": "links" in members,
            "meta": "meta" in members,
        }
    return {
        "schema": name,
        "attributes": {k: spec.compact(v) for k, v in sorted(attrs.items())},
        "relationships": relationships,
    }


# -- operations ---------------------------------------------------------------------------

PATH_RE = re.compile(
    r"^/(?P<ver>v\d)/(?P<type>[A-Za-z]+)"
    r"(?:/\{id\}(?:/(?P<linkage>relationships/)?(?P<rel>[A-Za-z0-9]+))?)?$"
)


def classify(path: str) -> dict[str, Any] | None:
    """Shape of a path: collection, instance, related or linkage of one of our types."""
    match = PATH_RE.match(path)
    if not match or (match["type"], match["ver"]) not in {(t, v) for t, (v, _) in TYPES.items()}:
        return None
    if "{id}" not in path:
        return {"shape": "collection", "type": match["type"]}
    if match["rel"] is None:
        return {"shape": "instance", "type": match["type"]}
    shape = "linkage" if match["linkage"] else "related"
    return {"shape": shape, "type": match["type"], "relationship": match["rel"]}


def compact_param(spec: Spec, param: dict[str, Any]) -> dict[str, Any]:
    schema = spec.deref(param.get("schema", {}))
    out: dict[str, Any] = {"required": bool(param.get("required"))}
    if schema.get("type") == "array":
        out["array"] = True
        schema = spec.deref(schema.get("items", {}))
    out["type"] = schema.get("type", "string")
    for key in ("enum", "maximum", "minimum"):
        if key in schema:
            out[key] = schema[key]
    return out


def compact_body(spec: Spec, schema_ref: dict[str, Any]) -> dict[str, Any]:
    """A create/update/linkage request body, reduced to what the engine checks."""
    name = spec.ref_name(schema_ref)
    schema = spec.deref(schema_ref)
    data = spec.deref(schema["properties"]["data"])
    if name and (name.endswith("LinkageRequest") or name.endswith("LinkagesRequest")):
        target, to_many = data_type_of(spec, schema["properties"]["data"])
        return {"schema": name, "kind": "linkages" if to_many else "linkage", "target": target}
    props = data.get("properties", {})
    attrs = spec.deref(props.get("attributes", {}))
    rels = spec.deref(props.get("relationships", {}))
    relationships = {}
    for rel_name, rel_schema in sorted(rels.get("properties", {}).items()):
        members = spec.deref(rel_schema)
        target, to_many = data_type_of(spec, members["properties"]["data"])
        relationships[rel_name] = {
            "target": target,
            "to_many": to_many,
            "nullable": bool(spec.deref(members["properties"]["data"]).get("nullable")),
        }
    required = set(data.get("required", []))
    return {
        "schema": name,
        "kind": "update" if "id" in props else "create",
        "type": props["type"]["enum"][0],
        "id_required": "id" in required,
        "attributes": {k: spec.compact(v) for k, v in sorted(attrs.get("properties", {}).items())},
        "attributes_required": "attributes" in required,
        "required_attributes": sorted(attrs.get("required", [])),
        "relationships": relationships,
        "relationships_required": "relationships" in required,
        "required_relationships": sorted(rels.get("required", [])),
        "included": included_types(spec, schema),
    }


def included_types(spec: Spec, body_schema: dict[str, Any]) -> list[str]:
    """Types a create may carry inline in ``included`` (``...InlineCreate`` schemas)."""
    included = body_schema.get("properties", {}).get("included")
    if not included:
        return []
    items = spec.deref(spec.deref(included).get("items", {}))
    options = items.get("oneOf", [items])
    types = []
    for option in options:
        enum = spec.deref(option).get("properties", {}).get("type", {}).get("enum")
        if enum:
            types.append(enum[0])
    return sorted(set(types))


def success_status(op: dict[str, Any]) -> int:
    codes = sorted(int(c) for c in op["responses"] if c.startswith("2"))
    return codes[0]


def response_schema_name(spec: Spec, op: dict[str, Any]) -> str | None:
    """The resource schema of a GET's ``data`` items (``App``), None when mixed or absent."""
    for code, response in op["responses"].items():
        json_content = response.get("content", {}).get("application/json")
        if code.startswith("2") and json_content:
            data = spec.deref(json_content["schema"]).get("properties", {}).get("data")
            if data:
                resolved = spec.deref(data)
                return spec.ref_name(resolved.get("items", data))
    return None


def response_data_type(spec: Spec, op: dict[str, Any]) -> tuple[str | None, bool]:
    for code, response in op["responses"].items():
        json_content = response.get("content", {}).get("application/json")
        if code.startswith("2") and json_content:
            schema = spec.deref(json_content["schema"])
            data = schema.get("properties", {}).get("data")
            if data:
                data = spec.deref(data)
                to_many = data.get("type") == "array"
                item = spec.deref(data["items"]) if to_many else data
                if "oneOf" in item:
                    return None, to_many
                enum = item.get("properties", {}).get("type", {}).get("enum")
                return (enum[0] if enum else None), to_many
    return None, False


def operations(spec: Spec) -> list[dict[str, Any]]:
    out = []
    for path, item in sorted(spec.raw["paths"].items()):
        shape = classify(path)
        if shape is None or (shape["type"], shape.get("relationship")) in UNCOMPUTED:
            continue
        for method, op in sorted(item.items()):
            if method == "parameters":
                continue
            target, to_many = response_data_type(spec, op)
            if (
                shape["shape"] in ("related", "linkage")
                and method == "get"
                and (target not in TYPES)
            ):
                continue
            # A legacy route serving another schema of a modelled type (e.g. the v1 IAPs
            # under /v1/apps/{id}/inAppPurchases) would be rendered wrongly: not served.
            legacy = response_schema_name(spec, op) != TYPES.get(target or "", ("", ""))[1]
            if shape["shape"] == "related" and method == "get" and legacy:
                continue
            entry: dict[str, Any] = {
                "method": method.upper(),
                "path": path,
                "operation_id": op.get("operationId"),
                "status": success_status(op),
                **shape,
                "params": {
                    p["name"]: compact_param(spec, p)
                    for p in op.get("parameters", [])
                    if p.get("in") == "query"
                },
            }
            if op.get("deprecated"):
                entry["deprecated"] = True
            body = op.get("requestBody")
            if body:
                entry["body"] = compact_body(spec, body["content"]["application/json"]["schema"])
                if entry["body"].get("kind", "").startswith("linkage"):
                    target = entry["body"]["target"]
                    to_many = entry["body"]["kind"] == "linkages"
            if shape["shape"] in ("related", "linkage"):
                if target not in TYPES:
                    continue
                entry["target"], entry["to_many"] = target, to_many
            out.append(entry)
    return out


# -- inverses -----------------------------------------------------------------------------


def add_body_relationships(types: dict[str, Any], ops: list[dict[str, Any]]) -> None:
    """Relationships only writable (not rendered) still matter to the store: mark them hidden."""
    for op in ops:
        body = op.get("body") or {}
        for name, rel in body.get("relationships", {}).items():
            owner = types.get(body.get("type"))
            if owner is not None and name not in owner["relationships"]:
                owner["relationships"][name] = {
                    "target": rel["target"],
                    "to_many": rel["to_many"],
                    "data": False,
                    "links": False,
                    "meta": False,
                    "hidden": True,
                }


def add_route_targets(types: dict[str, Any], ops: list[dict[str, Any]]) -> None:
    """Links-only relationships declare no ``data``: take their target from the related route."""
    for op in ops:
        if op["shape"] not in ("related", "linkage"):
            continue
        rels = types[op["type"]]["relationships"]
        rel = rels.setdefault(
            op["relationship"],
            {"data": False, "links": False, "meta": False, "hidden": True, "target": None},
        )
        if rel["target"] is None:
            rel["target"], rel["to_many"] = op["target"], op["to_many"]


def derive_inverses(types: dict[str, Any]) -> None:
    """Pair ``A.r -> B`` with ``B.s -> A`` when each is the only back-reference of the other."""
    refs: dict[tuple[str, str], list[str]] = defaultdict(list)
    for type_name, info in types.items():
        for rel_name, rel in info["relationships"].items():
            if rel["target"] in types:
                refs[(type_name, rel["target"])].append(rel_name)
    for type_name, info in sorted(types.items()):
        for rel_name, rel in sorted(info["relationships"].items()):
            target = rel["target"]
            if target not in types or target == type_name:
                continue
            forward = refs[(type_name, target)]
            back = refs[(target, type_name)]
            if len(forward) == 1 and len(back) == 1 and (type_name, rel_name) not in NO_INVERSE:
                rel["inverse"] = back[0]
    for (type_name, rel_name), inverse in INVERSE_OVERRIDES.items():
        types[type_name]["relationships"][rel_name]["inverse"] = inverse
        target = types[type_name]["relationships"][rel_name]["target"]
        types[target]["relationships"][inverse]["inverse"] = rel_name


def add_link_routes(spec: Spec, types: dict[str, Any]) -> None:
    """Which ``links`` of a relationship name a GET the spec declares.

    A resource schema may declare ``links`` for a relationship whose routes do not exist
    (``builds.betaGroups`` has neither; ``builds.perfPowerMetrics`` has no ``self``
    route); the sandbox emits only links a client can follow.
    """
    paths = spec.raw["paths"]
    for name, info in types.items():
        base = f"/{TYPES[name][0]}/{name}/{{id}}"
        for rel_name, rel in info["relationships"].items():
            if (name, rel_name) in UNCOMPUTED:
                rel["modelled"] = False
            if not rel.get("links"):
                continue
            rel["self_link"] = "get" in paths.get(f"{base}/relationships/{rel_name}", {})
            rel["related_link"] = "get" in paths.get(f"{base}/{rel_name}", {})


def unmodelled_routes(spec: Spec, ops: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Every spec route the sandbox does not serve, with its methods: answered 501, not 404."""
    served = {(op["method"], op["path"]) for op in ops}
    out: dict[str, list[str]] = {}
    for path, item in sorted(spec.raw["paths"].items()):
        methods = sorted(m.upper() for m in item if m != "parameters")
        missing = [m for m in methods if (m, path) not in served]
        if missing:
            out[path] = missing
    return out


def derive(raw: dict[str, Any]) -> dict[str, Any]:
    spec = Spec(raw)
    types = {name: resource_type(spec, schema) for name, (_, schema) in sorted(TYPES.items())}
    for name, (version, _) in TYPES.items():
        types[name]["version"] = version
    ops = operations(spec)
    add_body_relationships(types, ops)
    add_route_targets(types, ops)
    derive_inverses(types)
    add_link_routes(spec, types)
    return {
        "spec_version": raw["info"]["version"],
        "generated_by": "scripts/derive_sandbox_surface.py",
        "types": types,
        "operations": ops,
        "unmodelled": unmodelled_routes(spec, ops),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, default=DEFAULT_SPEC, help="Apple's openapi.json")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write the surface")
    args = parser.parse_args(argv)
    if not args.spec.is_file():
        print(f"error: spec not found: {args.spec} (pass --spec)", file=sys.stderr)
        return 1
    surface = derive(json.loads(args.spec.read_text()))
    text = json.dumps(surface, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    args.out.write_text(text + "\n")
    print(f"wrote {args.out} ({len(text) // 1024} KiB, {len(surface['operations'])} operations)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
