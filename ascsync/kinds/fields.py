"""Field tables several resource kinds share: a review contact, a demo account, a price,
product localizations. Each kind builds its own table from these, naming its resource;
the checks that go with them (a demo account needs a password) live here too."""

from __future__ import annotations

from typing import Any

from ascsync.desired.model import Field, FieldType, Record
from ascsync.problems import Problem
from ascsync.rules import products as pr

PRODUCT_ID: dict[str, Any] = dict(
    pattern=pr.PRODUCT_ID, pattern_hint="letters, digits, '.', '_' (≤100)"
)
TERRITORY: dict[str, Any] = dict(
    pattern=pr.TERRITORY, pattern_hint="three capital letters, e.g. USA"
)


def contact(resource: str, prefix: str) -> Field:
    """Review contact person, shared by App Review and TestFlight review details."""

    def apple(attr: str) -> str:
        return f"{resource}.{prefix}{attr}" if prefix else f"{resource}.{attr[0].lower()}{attr[1:]}"

    return Field(
        "contact",
        FieldType.OBJECT,
        "Who App Review calls about this app.",
        fields=(
            Field("first_name", FieldType.TEXT, "", apple("FirstName"), limit="person_name"),
            Field("last_name", FieldType.TEXT, "", apple("LastName"), limit="person_name"),
            Field(
                "phone", FieldType.TEXT, "With country code, e.g. +1 408 555 0100.", apple("Phone")
            ),
            Field("email", FieldType.EMAIL, "", apple("Email")),
        ),
    )


def demo_account(resource: str, prefix: str) -> Field:
    return Field(
        "demo_account",
        FieldType.OBJECT,
        "Sign-in App Review uses; write the password as `!env NAME`.",
        fields=(
            Field("required", FieldType.BOOL, "", f"{resource}.{prefix}Required"),
            Field("name", FieldType.TEXT, "User name.", f"{resource}.{prefix}Name", nullable=True),
            Field(
                "password",
                FieldType.SECRET,
                "`!env NAME`; never commit it.",
                f"{resource}.{prefix}Password",
                nullable=True,
            ),
        ),
    )


def price(resource: str) -> Field:
    return Field(
        "price",
        FieldType.OBJECT,
        "Base price; other territories are equalized by Apple.",
        fields=(
            Field(
                "base_territory",
                FieldType.TEXT,
                "ISO alpha-3, e.g. USA.",
                f"{resource}.baseTerritory",
                **TERRITORY,
            ),
            Field("customer_price", FieldType.PRICE, 'e.g. "0.00" or "4.99".', f"{resource}.price"),
        ),
    )


def product_localizations(resource: str) -> Field:
    return Field(
        "localizations",
        FieldType.LOCALES,
        "Per locale: the name and description shown in the App Store.",
        fields=(
            Field(
                "name",
                FieldType.TEXT,
                "",
                f"{resource}.name",
                required=True,
                limit="product_display_name",
            ),
            Field(
                "description",
                FieldType.TEXT,
                "",
                f"{resource}.description",
                limit="product_description",
                plain_text=True,
            ),
        ),
    )


def needs_localization(record: Record, key: str, what: str) -> list[Problem]:
    """A product or group needs at least one localization ([A])."""
    if record.maps.get(key):
        return []
    return [
        record.source.problem(
            key, f"{what} needs at least one localization", "localizations: {en-US: {name: ...}}"
        )
    ]


def check_demo_account(record: Record, prefix: str) -> list[Problem]:
    """App Review needs a name and a password when a demo account is required ([A])."""
    if record.get(f"{prefix}.required") is not True:
        return []
    return [
        record.where(f"{prefix}.required").problem(
            f"{prefix}.{key}", "is required when demo_account.required is true"
        )
        for key in ("name", "password")
        if record.attrs.get(f"{prefix}.{key}") is None or record.get(f"{prefix}.{key}") is None
    ]
