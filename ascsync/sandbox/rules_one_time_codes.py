"""One-time-use offer codes: a batch is created, its codes are downloaded as CSV.

``POST /v1/subscriptionOfferCodeOneTimeUseCodes`` asks Apple for ``numberOfCodes`` codes
of an offer code campaign, valid until ``expirationDate``. The codes themselves are not
JSON: ``GET /v1/subscriptionOfferCodeOneTimeUseCodes/{id}/values`` answers ``text/csv``
(the spec's only CSV answer ascsync uses). The engine serves JSON:API only, so the CSV
route is an extra route, authenticated like the API.

[U] Apple's limits on a batch (how many codes, how far the expiry may be) are not in the
spec; the sandbox refuses fewer than 1 or more than :data:`MOST_CODES` codes and an
expiry that is not in the future. [U] The CSV's layout (one code per line, no header)
is the sandbox's choice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from typing import Any

from ascsync.sandbox import api_errors
from ascsync.sandbox.hooks import Hooks, RawResponse, RequestContext, Route
from ascsync.sandbox.store import Ref, Resource

BATCHES = "subscriptionOfferCodeOneTimeUseCodes"
MOST_CODES = 25_000
"""[U] The most codes one batch may ask for."""
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""Letters and digits without look-alikes (O/0, I/1)."""

Rels = dict[str, Ref | list[Ref] | None]


class OneTimeCodeRules(Hooks):
    """Checks a batch, dates it, and serves its codes as CSV."""

    def before_create(
        self, ctx: RequestContext, type_: str, attributes: dict[str, Any], relationships: Rels
    ) -> None:
        if type_ != BATCHES:
            return
        count = int(attributes.get("numberOfCodes") or 0)
        if not 1 <= count <= MOST_CODES:
            raise api_errors.attribute_invalid(
                "/data/attributes/numberOfCodes",
                f"numberOfCodes must be between 1 and {MOST_CODES:,}.",
            )
        today = _today(ctx)
        if str(attributes.get("expirationDate") or "") <= today.isoformat():
            raise api_errors.attribute_invalid(
                "/data/attributes/expirationDate", "The expiration date must be in the future."
            )
        attributes["createdDate"] = today.isoformat()
        attributes.setdefault("active", True)

    def routes(self) -> list[Route]:
        return [
            Route(
                "GET",
                rf"/v1/{BATCHES}/(?P<batch_id>[^/]+)/values",
                serve_values,
                upload=False,
                authenticated=True,
            )
        ]


def serve_values(ctx: RequestContext, data: bytes, batch_id: str) -> RawResponse:
    """The batch's codes, one per line (made from its id, so every read is the same)."""
    batch = ctx.store.get(BATCHES, batch_id)
    if batch is None:
        raise api_errors.resource_not_found(BATCHES, batch_id)
    count = int(batch.attributes.get("numberOfCodes") or 0)
    body = "".join(f"{code}\n" for code in codes_of(batch, count)).encode()
    return RawResponse(200, body, {"Content-Type": "text/csv"})


def codes_of(batch: Resource, count: int) -> list[str]:
    codes = []
    for index in range(count):
        digest = hashlib.sha256(f"{batch.id}:{index}".encode()).digest()
        codes.append("".join(ALPHABET[b % len(ALPHABET)] for b in digest[:12]))
    return codes


def _today(ctx: RequestContext) -> dt.date:
    now = ctx.now() if ctx.now is not None else time.time()
    return dt.datetime.fromtimestamp(now, dt.UTC).date()


def default_hooks() -> list[Hooks]:
    return [OneTimeCodeRules()]


__all__ = ["BATCHES", "MOST_CODES", "OneTimeCodeRules", "codes_of", "default_hooks"]
