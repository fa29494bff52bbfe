"""deliver's age-rating JSON (``app_rating_config_path``) -> ``age-rating.yml``.

deliver still accepts the legacy iTunes Connect keys and 0/1/2 levels and maps them
[F upload_metadata.rb set_app_rating]; the import maps them the same way, and reports
keys Apple removed and keys it does not know instead of dropping them silently.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap

from ascsync.commands.fastlane.deliver import LEGACY_LEVELS, LEGACY_RATING_KEYS, REMOVED_RATING_KEYS
from ascsync.commands.fastlane.plan import ImportPlan
from ascsync.commands.fastlane.sources import LFS_HINT, SourceRoot, is_lfs_pointer
from ascsync.rules import age_rating

_OTHER_RATING_KEYS = {
    "kids_age_band",
    "age_rating_override",
    "age_rating_override_v2",
    "korea_age_rating_override",
    "developer_age_rating_info_url",
}


def rating_document(path: Path, root: SourceRoot, plan: ImportPlan) -> CommentedMap:
    """deliver's rating JSON -> ``age-rating.yml`` (snake_case keys, current values)."""
    if not root.allows(path, plan):
        return CommentedMap()
    if is_lfs_pointer(path):
        plan.error(path, LFS_HINT)
        return CommentedMap()
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        plan.error(path, f"not a readable JSON file ({exc})")
        return CommentedMap()
    if not isinstance(data, dict):
        plan.error(path, "expected a JSON object of rating answers")
        return CommentedMap()
    levels = set(age_rating.LEVEL_QUESTIONS)
    booleans = set(age_rating.REQUIRED_BOOLEANS) | set(age_rating.OPTIONAL_BOOLEANS)
    result = CommentedMap()
    for raw_key, raw_value in data.items():
        key = LEGACY_RATING_KEYS.get(str(raw_key), str(raw_key))
        if key in REMOVED_RATING_KEYS:
            plan.warn(path, f"{raw_key}: not imported, {REMOVED_RATING_KEYS[key]}")
            continue
        snake = age_rating.snake_name(key)
        if snake in levels:
            value = _rating_level(raw_value)
        elif snake in booleans:
            value = _rating_bool(raw_value)
        elif snake in _OTHER_RATING_KEYS:
            value = raw_value
        else:
            plan.warn(path, f"{raw_key}: not an age rating attribute ascsync knows; not imported")
            continue
        result[snake] = value
    _report_unanswered(path, result, plan)
    return result


def _report_unanswered(path: Path, result: CommentedMap, plan: ImportPlan) -> None:
    """Questions Apple added since the file was written: validate would require them."""
    required = list(age_rating.LEVEL_QUESTIONS) + list(age_rating.REQUIRED_BOOLEANS)
    missing = [question for question in required if question not in result]
    if missing:
        listed = ", ".join(missing[:4]) + (
            f" and {len(missing) - 4} more" if len(missing) > 4 else ""
        )
        plan.warn(
            path,
            f"{len(missing)} answer(s) App Store Connect requires are not in this file"
            f" ({listed}): answer them in age-rating.yml",
        )


def _rating_bool(value: Any) -> Any:
    """Legacy 0/1 -> false/true; anything else is kept for the validator to judge."""
    if isinstance(value, int) and not isinstance(value, bool) and value in (0, 1):
        return bool(value)
    return value


def _rating_level(value: Any) -> Any:
    """0/1/2 and the deprecated *_OR_MILD/*_OR_INTENSE -> NONE/INFREQUENT/FREQUENT."""
    if isinstance(value, int) and not isinstance(value, bool) and value in LEGACY_LEVELS:
        return LEGACY_LEVELS[value]
    if isinstance(value, str):
        return age_rating.DEPRECATED_LEVELS.get(value, value)
    return value
