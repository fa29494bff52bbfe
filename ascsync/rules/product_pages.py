"""Apple's rules for the rest of the product page: custom product pages, in-app events and
product page optimization tests, kept as data.

Tags as in ``apple-rules.md``: [A] Apple's own text, [S] the OpenAPI spec 4.4.1, [R] the
ASC CLI, [2] a secondary source, [U] unverified. A [U] rule only ever warns, or is a
refusal that says it is unsure, never a silent guess.
"""

from __future__ import annotations

import re

from ascsync.rules.media import Size

# -- custom product pages ---------------------------------------------------------------

MAX_CUSTOM_PRODUCT_PAGES = 35
"""[A] WWDC21 "Get ready to optimize your App Store product page": up to 35 pages per app.
Apple raised the number later [U]; more than this is a warning, not an error."""

# [S] AppCustomProductPageVersion.state. A version being prepared or sent back can be
# edited; one that is reviewed or approved is frozen: editing an approved page takes a new
# version, which ascsync does not create [U: whether Apple copies the content into it].
CPP_EDITABLE_STATES = frozenset({"PREPARE_FOR_SUBMISSION", "READY_FOR_REVIEW", "REJECTED"})
CPP_STATES = (
    "PREPARE_FOR_SUBMISSION",
    "READY_FOR_REVIEW",
    "WAITING_FOR_REVIEW",
    "IN_REVIEW",
    "ACCEPTED",
    "APPROVED",
    "REPLACED_WITH_NEW_VERSION",
    "REJECTED",
)
CPP_ALWAYS_EDITABLE = frozenset({"promotional_text"})
"""[A] "You can update the Promotional Text for your custom product page localization at
any time" (App Store Connect API docs, App Custom Product Page Localizations)."""

DEEP_LINK = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://\S+$")
"""A deep link is a universal link (https://) or a custom URL scheme (myapp://...) [A]
("Custom product pages: deep link"); the spec only says ``format: uri`` [S]."""
DEEP_LINK_HINT = "a URL with a scheme, e.g. https://example.com/films or moviecatalog://films"

# -- in-app events ------------------------------------------------------------------------

EVENT_BADGES = (
    "LIVE_EVENT",
    "PREMIERE",
    "CHALLENGE",
    "COMPETITION",
    "NEW_SEASON",
    "MAJOR_UPDATE",
    "SPECIAL_EVENT",
)  # [S] AppEvent.badge
EVENT_PURPOSES = (
    "APPROPRIATE_FOR_ALL_USERS",
    "ATTRACT_NEW_USERS",
    "KEEP_ACTIVE_USERS_INFORMED",
    "BRING_BACK_LAPSED_USERS",
)  # [S] AppEvent.purpose
EVENT_PRIORITIES = ("HIGH", "NORMAL")  # [S] AppEvent.priority
EVENT_PURCHASE_REQUIREMENTS = ("NO_COST_ASSOCIATED", "IN_APP_PURCHASE")
"""[U] apple-rules.md lists these; the 4.4.1 spec types purchaseRequirement as a plain
string, so another value only warns."""
EVENT_STATES = (
    "DRAFT",
    "READY_FOR_REVIEW",
    "WAITING_FOR_REVIEW",
    "IN_REVIEW",
    "REJECTED",
    "ACCEPTED",
    "APPROVED",
    "PUBLISHED",
    "PAST",
    "ARCHIVED",
)  # [S] AppEvent.eventState
EVENT_EDITABLE_STATES = frozenset({"DRAFT", "READY_FOR_REVIEW", "REJECTED"})
"""[U] An event can change until it is submitted, and again when review sends it back;
from WAITING_FOR_REVIEW on, it is frozen (Apple's Help: "you can't edit an event that's
been submitted"; whether an approved event's schedule can still move is unverified)."""

EVENT_MIN_MINUTES = 15  # [R] skill asc-in-app-events: an event lasts 15 minutes to 31 days
EVENT_MAX_DAYS = 31  # [R]
EVENT_MAX_PROMOTION_DAYS = 14
"""[R] The event may be promoted (publish start) at most 14 days before it starts."""

EVENT_ASSET_TYPES = ("EVENT_CARD", "EVENT_DETAILS_PAGE")  # [S] AppEventAssetType
EVENT_IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg")  # [A] KR Help "In-app event media"
EVENT_VIDEO_EXTENSIONS = (".mov", ".m4v", ".mp4")  # [A]
EVENT_MAX_VIDEO_BYTES = 500 * 1000 * 1000  # [A] 500 MB
# [A] KR Help "In-app event media and audio specifications": the card is 16:9, from
# 1920x1080 to 3840x2160; the details page 9:16, from 1080x1920 to 2160x3840 (images and
# videos alike).
EVENT_MEDIA_SIZES: dict[str, tuple[tuple[int, int], Size, Size]] = {
    "EVENT_CARD": ((16, 9), (1920, 1080), (3840, 2160)),
    "EVENT_DETAILS_PAGE": ((9, 16), (1080, 1920), (2160, 3840)),
}

# -- product page optimization ----------------------------------------------------------

MAX_TREATMENTS = 3  # [A] WWDC21: "up to three treatments" beside the original page
EXPERIMENT_STATES = (
    "PREPARE_FOR_SUBMISSION",
    "READY_FOR_REVIEW",
    "WAITING_FOR_REVIEW",
    "IN_REVIEW",
    "ACCEPTED",
    "APPROVED",
    "REJECTED",
    "COMPLETED",
    "STOPPED",
)  # [S] AppStoreVersionExperimentV2.state
EXPERIMENT_EDITABLE_STATES = frozenset({"PREPARE_FOR_SUBMISSION", "READY_FOR_REVIEW", "REJECTED"})
"""[U] A test's name, traffic proportion and treatments change only before review."""
EXPERIMENT_STARTABLE_STATES = frozenset({"ACCEPTED", "APPROVED"})
"""[U] A test whose treatments needed review starts once approved; one that needs no
review (``reviewRequired`` false) may start from READY_FOR_REVIEW too."""
EXPERIMENT_ENDED_STATES = frozenset({"COMPLETED", "STOPPED"})
"""[U] A stopped or completed test cannot run again: a new test is needed."""
TRAFFIC_PROPORTION = (1, 100)
"""[U] A percentage of the page's visitors who take part (the spec says integer only)."""


__all__ = [
    "CPP_ALWAYS_EDITABLE",
    "CPP_EDITABLE_STATES",
    "CPP_STATES",
    "DEEP_LINK",
    "DEEP_LINK_HINT",
    "EVENT_ASSET_TYPES",
    "EVENT_BADGES",
    "EVENT_EDITABLE_STATES",
    "EVENT_IMAGE_EXTENSIONS",
    "EVENT_MAX_DAYS",
    "EVENT_MAX_PROMOTION_DAYS",
    "EVENT_MAX_VIDEO_BYTES",
    "EVENT_MEDIA_SIZES",
    "EVENT_MIN_MINUTES",
    "EVENT_PRIORITIES",
    "EVENT_PURCHASE_REQUIREMENTS",
    "EVENT_PURPOSES",
    "EVENT_STATES",
    "EVENT_VIDEO_EXTENSIONS",
    "EXPERIMENT_EDITABLE_STATES",
    "EXPERIMENT_ENDED_STATES",
    "EXPERIMENT_STARTABLE_STATES",
    "EXPERIMENT_STATES",
    "MAX_CUSTOM_PRODUCT_PAGES",
    "MAX_TREATMENTS",
    "TRAFFIC_PROPORTION",
]
