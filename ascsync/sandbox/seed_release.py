"""Seed sections for what a release and its monetization add (issue 17).

:class:`~ascsync.sandbox.seed.SeedBuilder` calls these with itself, so mistakes are
reported the same way (``seed.yml:LINE: apps[0].builds[1].betaGroups: ...``). A build
may name the groups that have it and its What to Test texts::

    builds:
      - version: "241"
        betaGroups: [Public Beta]           # groups of this app, by name
        whatToTest: {en-US: Try offline lists., de-DE: Offline-Listen testen.}
"""

from __future__ import annotations

from typing import Any, Protocol, cast

from ascsync.sandbox.store import Ref, Resource, Store


class SeedBuilder(Protocol):
    """What these sections use of :class:`ascsync.sandbox.seed.SeedBuilder` (which imports
    this module, so it is named here by its shape)."""

    store: Store

    def fail(self, node: Any, key: Any, where: str, message: str, valid: str | None = None) -> None:
        """Raises a SeedError at ``node[key]``."""

    def mapping(self, node: Any, parent: Any, key: Any, where: str) -> dict[Any, Any]: ...

    def sequence(self, node: Any, parent: Any, key: Any, where: str) -> list[Any]: ...

    def locale(self, node: Any, key: Any, where: str) -> str: ...

    def create(
        self,
        type_: str,
        where: str,
        attributes: dict[str, Any],
        relationships: dict[str, Ref | list[Ref] | None] | None = None,
        id_: str | None = None,
    ) -> Resource: ...


def related(store: Store, resource: Resource, name: str) -> list[Resource]:
    """``store.related``, typed (``Store.list`` shadows the builtin in its annotations)."""
    return cast("list[Resource]", store.related(resource, name))


BUILD_KEYS = {"betaGroups", "whatToTest"}
"""Keys of a seeded build handled here (after the app's groups exist)."""


def link_builds(builder: SeedBuilder, app: Resource, node: dict[str, Any], where: str) -> None:
    """Each seeded build's groups and What to Test texts."""
    items = builder.sequence(node.get("builds"), node, "builds", f"{where}.builds")
    groups = {g.attributes.get("name"): g for g in related(builder.store, app, "betaGroups")}
    numbers = {b.attributes.get("version"): b for b in related(builder.store, app, "builds")}
    for index, item in enumerate(items):
        here = f"{where}.builds[{index}]"
        build = numbers[str(item.get("version"))]
        names = builder.sequence(item.get("betaGroups"), item, "betaGroups", f"{here}.betaGroups")
        for name in names:
            if name not in groups:
                builder.fail(
                    item,
                    "betaGroups",
                    f"{here}.betaGroups",
                    f"no beta group {name!r}",
                    ", ".join(sorted(str(n) for n in groups)),
                )
            builder.store.add_to_many(build, "betaGroups", [groups[name].ref])
        texts = builder.mapping(item.get("whatToTest"), item, "whatToTest", f"{here}.whatToTest")
        for locale, text in texts.items():
            builder.locale(texts, locale, f"{here}.whatToTest.{locale}")
            builder.create(
                "betaBuildLocalizations",
                f"{here}.whatToTest.{locale}",
                {"locale": str(locale), "whatsNew": str(text)},
                {"build": build.ref},
            )


__all__ = ["BUILD_KEYS", "link_builds", "related"]
