"""``apply --submit-for-review``: send the version to App Review once apply succeeded.

Apple's flow since API 4.x (openapi-facts §0): create a ``reviewSubmission`` for the
app and platform, add the version as a ``reviewSubmissionItem``, then PATCH the
submission with ``submitted: true``. An open (unsubmitted) submission is reused, so a
retry after a failure does not trip over "already an open submission".

Before anything is sent, the version is checked the way App Review would bounce it: a
valid build must be attached, every localization needs a description and a support URL,
and the review contact must be complete. Each missing piece is named.
"""

from __future__ import annotations

from typing import Any

from ascsync.api.client import ApiClient
from ascsync.api.jsonapi import resource_body
from ascsync.errors import AscsyncError

REVIEW_CONTACT = ("contactFirstName", "contactLastName", "contactPhone", "contactEmail")
LOCALIZATION_REQUIRED = {"description": "description", "supportUrl": "support_url"}


class NotSubmittable(AscsyncError):
    """The version lacks what App Review requires; the message lists every gap."""


def submit_for_review(client: ApiClient, app_id: str, version_id: str, platform: str) -> str:
    """Submit the version; returns the review submission's id."""
    check_submittable(client, version_id)
    open_ones = client.get_all(
        "/v1/reviewSubmissions",
        {"filter[app]": app_id, "filter[platform]": platform, "filter[state]": "READY_FOR_REVIEW"},
    ).resources()
    if open_ones:
        submission_id = open_ones[0]["id"]
    else:
        created = client.post(
            "/v1/reviewSubmissions",
            resource_body("reviewSubmissions", {"platform": platform}, {"app": ("apps", app_id)}),
        )
        submission_id = created.resource["id"]
    items = client.get_all(
        f"/v1/reviewSubmissions/{submission_id}/items", {"include": ["appStoreVersion"]}
    )
    if not any(
        item for item in items.resources() if _linked(item, "appStoreVersion") == version_id
    ):
        client.post(
            "/v1/reviewSubmissionItems",
            resource_body(
                "reviewSubmissionItems",
                None,
                {
                    "reviewSubmission": ("reviewSubmissions", submission_id),
                    "appStoreVersion": ("appStoreVersions", version_id),
                },
            ),
        )
    client.patch(
        f"/v1/reviewSubmissions/{submission_id}",
        resource_body("reviewSubmissions", {"submitted": True}, id_=submission_id),
    )
    return submission_id


def check_submittable(client: ApiClient, version_id: str) -> None:
    """Raise :class:`NotSubmittable` listing every gap, or return when all is there."""
    doc = client.get(
        f"/v1/appStoreVersions/{version_id}",
        {
            "include": ["build", "appStoreVersionLocalizations", "appStoreReviewDetail"],
            "limit[appStoreVersionLocalizations]": 50,
        },
    )
    version = doc.resource
    label = f"version {version['attributes'].get('versionString')}"
    gaps = []
    build = doc.related_one(version, "build")
    if build is None:
        gaps.append(
            "no build is attached (select one in App Store Connect; ascsync does not choose builds)"
        )
    elif build["attributes"].get("processingState") != "VALID":
        gaps.append(
            f"build {build['attributes'].get('version')} is "
            f"{build['attributes'].get('processingState')}, not VALID"
        )
    for loc in doc.related(version, "appStoreVersionLocalizations"):
        attributes = loc["attributes"]
        for attribute, key in LOCALIZATION_REQUIRED.items():
            if not attributes.get(attribute):
                gaps.append(f"{attributes.get('locale')}: {key} is empty")
    review = doc.related_one(version, "appStoreReviewDetail")
    missing = [a for a in REVIEW_CONTACT if not (review or {}).get("attributes", {}).get(a)]
    if missing:
        gaps.append("review contact is incomplete (" + ", ".join(missing) + ")")
    if gaps:
        raise NotSubmittable(f"{label} cannot be submitted for review: " + "; ".join(gaps))


def _linked(resource: dict[str, Any], relationship: str) -> str | None:
    data = ((resource.get("relationships") or {}).get(relationship) or {}).get("data")
    return data.get("id") if isinstance(data, dict) else None
