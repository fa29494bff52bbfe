"""Which App Store Connect states allow which edits, as the client plans around them.

Kept apart from the sandbox's copy on purpose: the sandbox emulates Apple independently,
so a mistake here shows up as a failed apply in tests instead of being agreed with.
"""

from __future__ import annotations

# [A] JP Help "Upload app previews and screenshots"; fastlane PR #16626 for the text fields.
EDITABLE_VERSION_STATES = frozenset(
    {
        "PREPARE_FOR_SUBMISSION",
        "READY_FOR_REVIEW",
        "REJECTED",
        "METADATA_REJECTED",
        "DEVELOPER_REJECTED",
        "INVALID_BINARY",
    }
)

# [A] "Promotional text ... can be updated without requiring an updated submission".
ALWAYS_EDITABLE_LOCALE_KEYS = frozenset({"promotional_text"})

# appInfos.state (AppInfoState in the spec) values in which name, subtitle, privacy URLs and
# categories can change: the app info of a version being prepared or sent back by review.
EDITABLE_APP_INFO_STATES = frozenset({"PREPARE_FOR_SUBMISSION", "REJECTED", "DEVELOPER_REJECTED"})
