"""The desired-state model: what a team wants App Store Connect to look like.

The same classes will hold the *live* state read from the API (issue 5), so planning is a
like-for-like diff. Three ideas run through the model:

* Every managed value is a :class:`Value` that remembers its :class:`Source` (file, line),
  so any later message can point at the line to change.
* A key that is absent from ``attrs`` is *not managed*: ascsync leaves it alone. A
  :class:`Value` whose ``value`` is ``None`` is an explicit *clear*.
* Secrets are wrapped in :class:`Secret`, whose ``str``/``repr`` is ``(sensitive)``, so a
  password can travel through plans and logs without ever being printed.

The file layout (which keys each file kind has, their types, limits and the Apple
attribute each one maps to) is the table :data:`FILE_KINDS`. The loader, the JSON
Schemas and ``docs/repo-layout.md`` are all generated from it, so they cannot drift.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Any

from ascsync.problems import Problem, Severity
from ascsync.rules import age_rating as ar
from ascsync.rules import products as pr

# ---------------------------------------------------------------------------- values


@dataclass(frozen=True)
class Source:
    """Where a value was written: a file and a 1-based line (``None`` when unknown/live)."""

    file: Path | None
    line: int | None = None

    def problem(
        self,
        field: str,
        message: str,
        valid: str | None = None,
        severity: Severity = Severity.ERROR,
    ) -> Problem:
        return Problem(self.file, self.line, field, message, valid, severity)

    def shifted(self, lines: int) -> Source:
        """The source ``lines`` further down, e.g. a line inside a long text file."""
        return Source(self.file, (self.line or 1) + lines)


LIVE = Source(None, None)  # values read from App Store Connect


class Secret:
    """A sensitive string (a demo account password). Never printed; compare or reveal it.

    ``value`` is ``None`` when the environment variable it comes from is not set: that
    is fine for ``validate`` and an error for commands that must send it.
    """

    __slots__ = ("_value", "env")

    def __init__(self, value: str | None, env: str | None = None):
        self._value = value
        self.env = env

    @property
    def is_set(self) -> bool:
        return self._value is not None

    def reveal(self) -> str | None:
        """The clear text; call only where it is sent to Apple."""
        return self._value

    def __repr__(self) -> str:
        return "(sensitive)"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class Value:
    """One managed value. ``value is None`` means "clear it" (explicit ``null``)."""

    value: Any
    source: Source

    @property
    def sensitive(self) -> bool:
        return isinstance(self.value, Secret)

    @property
    def is_clear(self) -> bool:
        return self.value is None


Attrs = dict[str, Value]
"""Managed attributes of one resource, keyed by dotted field path (``review.contact.email``)."""


# ------------------------------------------------------------------- the file layout


class Kind(StrEnum):
    """The type of a field as written in YAML."""

    TEXT = "text"  # a string; long ones may come from !file or !template
    URL = "url"
    EMAIL = "email"
    BOOL = "bool"
    INT = "int"
    PRICE = "price"  # "4.99"; numbers are accepted
    DATE = "date"  # ISO-8601 date or date-time
    ENUM = "enum"
    SECRET = "secret"  # usually !env NAME
    STRINGS = "strings"  # a list of strings
    TERRITORIES = "territories"  # "all" or a list of ISO alpha-3 codes
    OBJECT = "object"  # nested keys, flattened to dotted paths in Attrs
    LOCALES = "locales"  # a mapping locale -> object (a localization sub-resource)
    LIST = "list"  # a list of objects (sub-resources)


@dataclass(frozen=True)
class Field:
    """One key of a file kind: its type, rules, and the Apple attribute it maps to."""

    key: str
    kind: Kind
    doc: str
    apple: str | None = None  # "resourceType.attribute" in App Store Connect
    required: bool = False
    nullable: bool = False  # may be set to null to clear it in App Store Connect
    limit: str | None = None  # key of ascsync.rules.text.TEXT_LIMITS
    choices: tuple[str, ...] = ()
    pattern: re.Pattern[str] | None = None
    pattern_hint: str = ""
    plain_text: bool = False  # no HTML allowed
    min: int | None = None
    max: int | None = None
    fields: tuple[Field, ...] = ()  # children of OBJECT / LOCALES / LIST
    deprecated: str | None = None  # this key is deprecated: what to use instead
    # accepted values that earn a warning: old value -> what to write instead
    deprecated_choices: tuple[tuple[str, str], ...] = ()

    def child(self, key: str) -> Field | None:
        return next((f for f in self.fields if f.key == key), None)


@dataclass(frozen=True)
class FileKind:
    """A kind of file in the repo, e.g. ``apps/<app>/locales/<locale>.yml``."""

    name: str
    path: str
    doc: str
    fields: tuple[Field, ...]
    free_form: tuple[str, ...] = ()  # keys whose content is not checked (template values)


def _contact(resource: str, prefix: str) -> Field:
    """Review contact person, shared by App Review and TestFlight review details."""

    def apple(attr: str) -> str:
        return f"{resource}.{prefix}{attr}" if prefix else f"{resource}.{attr[0].lower()}{attr[1:]}"

    return Field(
        "contact",
        Kind.OBJECT,
        "Who App Review calls about this app.",
        fields=(
            Field("first_name", Kind.TEXT, "", apple("FirstName"), limit="person_name"),
            Field("last_name", Kind.TEXT, "", apple("LastName"), limit="person_name"),
            Field("phone", Kind.TEXT, "With country code, e.g. +1 408 555 0100.", apple("Phone")),
            Field("email", Kind.EMAIL, "", apple("Email")),
        ),
    )


def _demo_account(resource: str, prefix: str) -> Field:
    return Field(
        "demo_account",
        Kind.OBJECT,
        "Sign-in App Review uses; write the password as `!env NAME`.",
        fields=(
            Field("required", Kind.BOOL, "", f"{resource}.{prefix}Required"),
            Field("name", Kind.TEXT, "User name.", f"{resource}.{prefix}Name", nullable=True),
            Field(
                "password",
                Kind.SECRET,
                "`!env NAME`; never commit it.",
                f"{resource}.{prefix}Password",
                nullable=True,
            ),
        ),
    )


def _price(resource: str) -> Field:
    return Field(
        "price",
        Kind.OBJECT,
        "Base price; other territories are equalized by Apple.",
        fields=(
            Field(
                "base_territory",
                Kind.TEXT,
                "ISO alpha-3, e.g. USA.",
                f"{resource}.baseTerritory",
                pattern=pr.TERRITORY,
                pattern_hint="three capital letters, e.g. USA",
            ),
            Field("customer_price", Kind.PRICE, 'e.g. "0.00" or "4.99".', f"{resource}.price"),
        ),
    )


def _product_localizations(resource: str) -> Field:
    return Field(
        "localizations",
        Kind.LOCALES,
        "Per locale: the name and description shown in the App Store.",
        fields=(
            Field(
                "name",
                Kind.TEXT,
                "",
                f"{resource}.name",
                required=True,
                limit="product_display_name",
            ),
            Field(
                "description",
                Kind.TEXT,
                "",
                f"{resource}.description",
                limit="product_description",
                plain_text=True,
            ),
        ),
    )


_PRODUCT_ID = dict(pattern=pr.PRODUCT_ID, pattern_hint="letters, digits, '.', '_' (≤100)")
_LOCALE_TEXT = "appStoreVersionLocalizations"
_INFO_TEXT = "appInfoLocalizations"

LOCALE_FIELDS = (
    Field("name", Kind.TEXT, "App name.", f"{_INFO_TEXT}.name", limit="app_name"),
    Field("subtitle", Kind.TEXT, "", f"{_INFO_TEXT}.subtitle", nullable=True, limit="subtitle"),
    Field(
        "privacy_policy_url",
        Kind.URL,
        "Required for iOS/macOS.",
        f"{_INFO_TEXT}.privacyPolicyUrl",
        nullable=True,
    ),
    Field("privacy_choices_url", Kind.URL, "", f"{_INFO_TEXT}.privacyChoicesUrl", nullable=True),
    Field(
        "privacy_policy_text",
        Kind.TEXT,
        "tvOS only.",
        f"{_INFO_TEXT}.privacyPolicyText",
        nullable=True,
        limit="privacy_policy_text",
    ),
    Field(
        "description",
        Kind.TEXT,
        "Plain text, no HTML.",
        f"{_LOCALE_TEXT}.description",
        limit="description",
        plain_text=True,
    ),
    Field(
        "keywords",
        Kind.STRINGS,
        "One keyword per item; joined with commas.",
        f"{_LOCALE_TEXT}.keywords",
        nullable=True,
        limit="keywords",
    ),
    Field(
        "whats_new",
        Kind.TEXT,
        "Not accepted on an app's first version.",
        f"{_LOCALE_TEXT}.whatsNew",
        nullable=True,
        limit="whats_new",
        plain_text=True,
    ),
    Field(
        "promotional_text",
        Kind.TEXT,
        "Editable without a new version.",
        f"{_LOCALE_TEXT}.promotionalText",
        nullable=True,
        limit="promotional_text",
    ),
    Field("support_url", Kind.URL, "Required.", f"{_LOCALE_TEXT}.supportUrl"),
    Field("marketing_url", Kind.URL, "", f"{_LOCALE_TEXT}.marketingUrl", nullable=True),
)

_SUBCATS = pr.SUBCATEGORIES["GAMES"] + pr.SUBCATEGORIES["STICKERS"]

APP_FIELDS = (
    Field(
        "bundle_id",
        Kind.TEXT,
        "The app's bundle id.",
        "apps.bundleId",
        required=True,
        pattern=pr.BUNDLE_ID,
        pattern_hint="reverse-DNS of A-Z a-z 0-9 - .",
    ),
    Field(
        "platform", Kind.ENUM, "", "appStoreVersions.platform", required=True, choices=pr.PLATFORMS
    ),
    Field(
        "primary_locale",
        Kind.TEXT,
        "Must have a locales/<locale>.yml.",
        "apps.primaryLocale",
        required=True,
    ),
    Field(
        "sku",
        Kind.TEXT,
        "Informational; fixed at creation.",
        "apps.sku",
        pattern=pr.SKU,
        pattern_hint="letters, digits, - . _; not starting with - . _",
    ),
    Field("supports_ipad", Kind.BOOL, "iOS: makes 13-inch iPad screenshots required."),
    Field(
        "content_rights", Kind.ENUM, "", "apps.contentRightsDeclaration", choices=pr.CONTENT_RIGHTS
    ),
    Field(
        "categories",
        Kind.OBJECT,
        "appCategories ids.",
        fields=(
            Field("primary", Kind.ENUM, "", "appInfos.primaryCategory", choices=pr.CATEGORIES),
            Field(
                "primary_subcategories",
                Kind.STRINGS,
                "GAMES/STICKERS only, ≤2.",
                "appInfos.primarySubcategoryOne,primarySubcategoryTwo",
                choices=_SUBCATS,
                max=2,
            ),
            Field(
                "secondary",
                Kind.ENUM,
                "",
                "appInfos.secondaryCategory",
                nullable=True,
                choices=pr.CATEGORIES,
            ),
            Field(
                "secondary_subcategories",
                Kind.STRINGS,
                "GAMES/STICKERS only, ≤2.",
                "appInfos.secondarySubcategoryOne,secondarySubcategoryTwo",
                choices=_SUBCATS,
                max=2,
            ),
        ),
    ),
    Field(
        "availability",
        Kind.OBJECT,
        "Where the app is sold.",
        fields=(
            Field(
                "available_in_new_territories",
                Kind.BOOL,
                "",
                "appAvailabilities.availableInNewTerritories",
            ),
            Field(
                "territories",
                Kind.TERRITORIES,
                '"all" or a list of ISO alpha-3 codes.',
                "territoryAvailabilities.available",
            ),
        ),
    ),
    _price("appPriceSchedules"),
)

AGE_RATING_FIELDS = (
    tuple(
        Field(
            q,
            Kind.ENUM,
            "",
            f"ageRatingDeclarations.{ar.apple_name(q)}",
            required=True,
            choices=ar.LEVELS,
            deprecated_choices=tuple(ar.DEPRECATED_LEVELS.items()),
        )
        for q in ar.LEVEL_QUESTIONS
    )
    + tuple(
        Field(b, Kind.BOOL, "", f"ageRatingDeclarations.{ar.apple_name(b)}", required=True)
        for b in ar.REQUIRED_BOOLEANS
    )
    + tuple(
        Field(b, Kind.BOOL, "", f"ageRatingDeclarations.{ar.apple_name(b)}")
        for b in ar.OPTIONAL_BOOLEANS
    )
    + (
        Field(
            "kids_age_band",
            Kind.ENUM,
            "null unless Made for Kids.",
            "ageRatingDeclarations.kidsAgeBand",
            nullable=True,
            choices=ar.KIDS_AGE_BANDS,
        ),
        Field(
            "age_rating_override_v2",
            Kind.ENUM,
            "",
            "ageRatingDeclarations.ageRatingOverrideV2",
            choices=ar.AGE_RATING_OVERRIDES_V2,
        ),
        Field(
            "age_rating_override",
            Kind.ENUM,
            "Deprecated.",
            "ageRatingDeclarations.ageRatingOverride",
            choices=ar.AGE_RATING_OVERRIDES_V1,
            deprecated="age_rating_override_v2",
        ),
        Field(
            "korea_age_rating_override",
            Kind.ENUM,
            "",
            "ageRatingDeclarations.koreaAgeRatingOverride",
            choices=ar.KOREA_AGE_RATING_OVERRIDES,
        ),
        Field(
            "developer_age_rating_info_url",
            Kind.URL,
            "",
            "ageRatingDeclarations.developerAgeRatingInfoUrl",
            nullable=True,
        ),
    )
)

_REVIEW = "appStoreReviewDetails"
VERSION_FIELDS = (
    Field(
        "version",
        Kind.TEXT,
        'Quote it: "2.4.0".',
        "appStoreVersions.versionString",
        required=True,
        pattern=pr.VERSION_STRING,
        pattern_hint="1 to 3 dot-separated integers, e.g. 2.4.0",
    ),
    Field(
        "copyright",
        Kind.TEXT,
        '"<year> <owner>"; Apple adds ©.',
        "appStoreVersions.copyright",
        limit="copyright",
        pattern=pr.COPYRIGHT,
        pattern_hint='the year then the owner, e.g. "2026 Example Inc."',
    ),
    Field(
        "release",
        Kind.OBJECT,
        "",
        fields=(
            Field("type", Kind.ENUM, "", "appStoreVersions.releaseType", choices=pr.RELEASE_TYPES),
            Field(
                "earliest_date",
                Kind.DATE,
                "SCHEDULED only; ISO-8601.",
                "appStoreVersions.earliestReleaseDate",
                nullable=True,
            ),
        ),
    ),
    Field("phased_release", Kind.BOOL, "7-day phased rollout.", "appStoreVersionPhasedReleases"),
    Field(
        "review",
        Kind.OBJECT,
        "Information for App Review.",
        fields=(
            _contact(_REVIEW, "contact"),
            _demo_account(_REVIEW, "demoAccount"),
            Field("notes", Kind.TEXT, "", f"{_REVIEW}.notes", nullable=True, limit="review_notes"),
        ),
    ),
)

IAP_FIELDS = (
    Field(
        "product_id",
        Kind.TEXT,
        "Fixed after creation.",
        "inAppPurchases.productId",
        required=True,
        **_PRODUCT_ID,
    ),
    Field(
        "type",
        Kind.ENUM,
        "",
        "inAppPurchases.inAppPurchaseType",
        required=True,
        choices=pr.IAP_TYPES,
    ),
    Field(
        "reference_name",
        Kind.TEXT,
        "Internal name.",
        "inAppPurchases.name",
        required=True,
        limit="product_reference_name",
    ),
    Field("family_sharable", Kind.BOOL, "", "inAppPurchases.familySharable"),
    Field(
        "review_note",
        Kind.TEXT,
        "",
        "inAppPurchases.reviewNote",
        nullable=True,
        limit="product_review_note",
    ),
    _price("inAppPurchasePriceSchedules"),
    _product_localizations("inAppPurchaseLocalizations"),
)

SUBSCRIPTION_FIELDS = (
    Field("product_id", Kind.TEXT, "", "subscriptions.productId", required=True, **_PRODUCT_ID),
    Field(
        "reference_name",
        Kind.TEXT,
        "",
        "subscriptions.name",
        required=True,
        limit="product_reference_name",
    ),
    Field(
        "period",
        Kind.ENUM,
        "",
        "subscriptions.subscriptionPeriod",
        required=True,
        choices=pr.SUBSCRIPTION_PERIODS,
    ),
    Field("group_level", Kind.INT, "1 = highest service level.", "subscriptions.groupLevel", min=1),
    Field("family_sharable", Kind.BOOL, "", "subscriptions.familySharable"),
    Field(
        "review_note",
        Kind.TEXT,
        "",
        "subscriptions.reviewNote",
        nullable=True,
        limit="product_review_note",
    ),
    _product_localizations("subscriptionLocalizations"),
    Field(
        "prices",
        Kind.LIST,
        "One price per territory.",
        "subscriptionPrices",
        fields=(
            Field(
                "territory",
                Kind.TEXT,
                "",
                "subscriptionPrices.territory",
                required=True,
                pattern=pr.TERRITORY,
                pattern_hint="three capital letters, e.g. USA",
            ),
            Field(
                "customer_price",
                Kind.PRICE,
                "",
                "subscriptionPricePoints.customerPrice",
                required=True,
            ),
        ),
    ),
)

SUBSCRIPTION_GROUP_FIELDS = (
    Field(
        "reference_name",
        Kind.TEXT,
        "Internal name, unique per app.",
        "subscriptionGroups.referenceName",
        required=True,
        limit="product_reference_name",
    ),
    Field(
        "localizations",
        Kind.LOCALES,
        "Group display name per locale.",
        fields=(
            Field(
                "name",
                Kind.TEXT,
                "No emoji or markup.",
                "subscriptionGroupLocalizations.name",
                required=True,
                limit="subscription_group_name",
            ),
            Field(
                "custom_app_name",
                Kind.TEXT,
                "",
                "subscriptionGroupLocalizations.customAppName",
                nullable=True,
                limit="custom_app_name",
            ),
        ),
    ),
    Field(
        "subscriptions", Kind.LIST, "The subscriptions of the group.", fields=SUBSCRIPTION_FIELDS
    ),
)

_BETA = "betaAppLocalizations"
BETA_APP_FIELDS = (
    Field(
        "localizations",
        Kind.LOCALES,
        "Test information per locale.",
        fields=(
            Field(
                "description",
                Kind.TEXT,
                "What testers should know.",
                f"{_BETA}.description",
                limit="beta_description",
            ),
            Field("feedback_email", Kind.EMAIL, "", f"{_BETA}.feedbackEmail"),
            Field("marketing_url", Kind.URL, "", f"{_BETA}.marketingUrl", nullable=True),
            Field("privacy_policy_url", Kind.URL, "", f"{_BETA}.privacyPolicyUrl", nullable=True),
        ),
    ),
    Field(
        "review_contact",
        Kind.OBJECT,
        "TestFlight review contact.",
        fields=_contact("betaAppReviewDetails", "contact").fields,
    ),
    _demo_account("betaAppReviewDetails", "demoAccount"),
)

BETA_GROUP_FIELDS = (
    Field(
        "name",
        Kind.TEXT,
        "Unique per app.",
        "betaGroups.name",
        required=True,
        limit="beta_group_name",
    ),
    Field(
        "internal",
        Kind.BOOL,
        "Internal groups hold team members only; fixed at creation.",
        "betaGroups.isInternalGroup",
    ),
    Field(
        "public_link",
        Kind.OBJECT,
        "External groups only.",
        fields=(
            Field("enabled", Kind.BOOL, "", "betaGroups.publicLinkEnabled"),
            Field(
                "limit",
                Kind.INT,
                "Max testers via the link.",
                "betaGroups.publicLinkLimit",
                nullable=True,
                min=1,
                max=pr.MAX_PUBLIC_LINK_LIMIT,
            ),
        ),
    ),
    Field("feedback_enabled", Kind.BOOL, "", "betaGroups.feedbackEnabled"),
    Field(
        "testers",
        Kind.LIST,
        "Testers invited to the group.",
        "betaTesters",
        fields=(
            Field("email", Kind.EMAIL, "", "betaTesters.email", required=True),
            Field("first_name", Kind.TEXT, "", "betaTesters.firstName", limit="person_name"),
            Field("last_name", Kind.TEXT, "", "betaTesters.lastName", limit="person_name"),
        ),
    ),
)

CONFIG_FIELDS = (
    Field("format_version", Kind.INT, "Always 1.", required=True, min=1, max=1),
    Field("apps", Kind.STRINGS, "App folders under apps/ to manage; default: all."),
    Field("defaults", Kind.OBJECT, "Free-form values for !template files, as `defaults`."),
)

FILE_KINDS: dict[str, FileKind] = {
    k.name: k
    for k in (
        FileKind(
            "config",
            "ascsync.yml",
            "The repo's root: format version, apps, template values.",
            CONFIG_FIELDS,
            free_form=("defaults",),
        ),
        FileKind(
            "app",
            "apps/<app>/app.yml",
            "The app record: ids, platform, categories, availability, price.",
            APP_FIELDS,
        ),
        FileKind(
            "age-rating",
            "apps/<app>/age-rating.yml",
            "The age rating questionnaire; every answer is required.",
            AGE_RATING_FIELDS,
        ),
        FileKind(
            "version",
            "apps/<app>/version.yml",
            "The App Store version being prepared and its review details.",
            VERSION_FIELDS,
        ),
        FileKind(
            "locale",
            "apps/<app>/locales/<locale>.yml",
            "Product page text for one locale; `_defaults.yml` holds what every locale inherits.",
            LOCALE_FIELDS,
        ),
        FileKind(
            "in-app-purchase",
            "apps/<app>/in-app-purchases/<product_id>.yml",
            "One in-app purchase.",
            IAP_FIELDS,
        ),
        FileKind(
            "subscription-group",
            "apps/<app>/subscriptions/<group>.yml",
            "A subscription group and its subscriptions.",
            SUBSCRIPTION_GROUP_FIELDS,
        ),
        FileKind(
            "beta-app",
            "apps/<app>/testflight/beta-app.yml",
            "TestFlight test information.",
            BETA_APP_FIELDS,
        ),
        FileKind(
            "beta-group",
            "apps/<app>/testflight/groups/<group>.yml",
            "One TestFlight group and its testers.",
            BETA_GROUP_FIELDS,
        ),
    )
}


def field_spec(kind: str, dotted: str) -> Field | None:
    """The :class:`Field` of an attribute path like ``subscriptions[0].localizations.ja.name``.

    List indices and the locale segment under a LOCALES field are skipped, so every
    path found in a :class:`Record` resolves.
    """
    fields = FILE_KINDS[kind].fields
    spec: Field | None = None
    parts = dotted.split(".")
    i = 0
    while i < len(parts):
        key = parts[i].split("[", 1)[0]
        spec = next((f for f in fields if f.key == key), None)
        if spec is None:
            return None
        fields = spec.fields
        i += 2 if spec.kind == Kind.LOCALES else 1
    return spec


def apple_attribute(kind: str, dotted: str) -> str | None:
    """The Apple ``resource.attribute`` a field maps to, e.g. ("locale", "name")."""
    spec = field_spec(kind, dotted)
    return spec.apple if spec else None


# ------------------------------------------------------------------------- records


@dataclass
class Record:
    """One loaded object: flat attributes plus nested sub-resources.

    ``localizations`` (LOCALES fields) and lists of objects (LIST fields) become
    sub-records so they can be diffed one by one. Keys are always the full path from
    the file's root, also inside sub-records, so a key doubles as the ``field`` of a
    message: a subscription group record has ``maps["localizations"]["ja"]`` whose
    attrs hold ``"localizations.ja.name"``, and ``lists["subscriptions"][0]`` holds
    ``"subscriptions[0].period"``. :func:`field_spec` resolves any such key.
    """

    source: Source
    attrs: Attrs = field(default_factory=dict)
    maps: dict[str, dict[str, Record]] = field(default_factory=dict)
    lists: dict[str, list[Record]] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        """The plain value of a managed attribute (``default`` when not managed)."""
        value = self.attrs.get(key)
        return default if value is None else value.value

    def to_plain(self) -> dict[str, Any]:
        """The record as nested plain data, the shape of its YAML file (secrets stay wrapped).

        The inverse of loading: ``review.contact.email`` becomes nested mappings, sub-records
        go back under their locale or list index. Used to write YAML and to test the loader.
        """
        result: dict[str, Any] = {}
        self._merge_into(result)
        return result

    def _merge_into(self, result: dict[str, Any]) -> None:
        for path, value in self.attrs.items():
            _set_path(result, path, value.value)
        for path, records in self.maps.items():
            _set_path(result, path, {})
            for code, sub in records.items():
                _set_path(result, f"{path}.{code}", {})
                sub._merge_into(result)
        for path, items in self.lists.items():
            _set_path(result, path, [])
            for i, sub in enumerate(items):
                _set_path(result, f"{path}[{i}]", {})
                sub._merge_into(result)

    def where(self, key: str) -> Source:
        """Where ``key`` was written, or the record's own source when it is absent."""
        value = self.attrs.get(key)
        return value.source if value is not None else self.source


def _set_path(root: dict[str, Any], path: str, value: Any) -> None:
    """Set ``a.b[2].c`` in nested dicts/lists, creating containers on the way."""
    node: Any = root
    parts = path.split(".")
    for n, part in enumerate(parts):
        last = n == len(parts) - 1
        key, _, index = part.partition("[")
        if index:
            items = node.setdefault(key, [])
            i = int(index.rstrip("]"))
            while len(items) <= i:
                items.append({})
            if last:
                items[i] = value
            node = items[i]
        elif last:
            if not (isinstance(value, dict | list) and key in node):
                node[key] = value
        else:
            node = node.setdefault(key, {})


@dataclass
class MediaFile:
    """A screenshot or preview on disk. The md5 is computed only when plan needs it."""

    path: Path
    file_name: str
    size: int

    @cached_property
    def md5(self) -> str:
        from ascsync.desired.media import md5_file  # media imports Pillow; only plan needs it

        return md5_file(self.path)


@dataclass
class MediaSet:
    """Screenshots (or previews) of one display type for one locale, in display order."""

    display_type: str
    folder: Path
    files: list[MediaFile] = field(default_factory=list)


@dataclass
class Localization:
    """Product page text of one locale (appInfo + version localization) and its media."""

    locale: str
    record: Record
    screenshot_sets: dict[str, MediaSet] = field(default_factory=dict)
    preview_sets: dict[str, MediaSet] = field(default_factory=dict)


@dataclass
class App:
    """Everything ascsync manages for one app. ``None``/empty means "not managed"."""

    name: str  # the folder name under apps/
    folder: Path
    record: Record  # app.yml
    age_rating: Record | None = None
    version: Record | None = None
    localizations: dict[str, Localization] = field(default_factory=dict)
    in_app_purchases: dict[str, Record] = field(default_factory=dict)  # by product_id
    subscription_groups: dict[str, Record] = field(default_factory=dict)  # by reference_name
    beta_app: Record | None = None
    beta_groups: dict[str, Record] = field(default_factory=dict)  # by name

    @property
    def address(self) -> str:
        return f"app[{self.name}]"

    @property
    def version_string(self) -> str | None:
        return self.version.get("version") if self.version else None

    def locale_address(self, locale: str) -> str:
        """``app[x].version[2.4.0].locale[de-DE]``, the prefix of screenshot addresses."""
        return f"{self.address}.version[{self.version_string}].locale[{locale}]"

    def screenshot_address(self, locale: str, display_type: str, file_name: str) -> str:
        """``app[x].version[2.4.0].locale[de-DE].screenshots[APP_IPHONE_67][02-detail.png]``."""
        return f"{self.locale_address(locale)}.screenshots[{display_type}][{file_name}]"


@dataclass
class DesiredRepo:
    """A whole repo: the apps and the shared template values of ``ascsync.yml``."""

    root: Path
    defaults: dict[str, Any] = field(default_factory=dict)
    apps: dict[str, App] = field(default_factory=dict)
