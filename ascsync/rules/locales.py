"""The 50 App Store locales ([A] 2026-03-31 news, [F] languages.rb, [R] localizations.go).

Codes are case-sensitive exactly as listed (``zh-Hans``, not ``zh-hans``); the loader
suggests the right spelling when only the case differs.
"""

from __future__ import annotations

import difflib

# code -> language, in Apple's alphabetical order. The 11 codes marked 2026 were added
# on 2026-03-31 and verified live by the ASC CLI maintainers (PR #1507).
APP_STORE_LOCALES: dict[str, str] = {
    "ar-SA": "Arabic",
    "bn-BD": "Bangla",  # 2026
    "ca": "Catalan",
    "cs": "Czech",
    "da": "Danish",
    "de-DE": "German",
    "el": "Greek",
    "en-AU": "English (Australia)",
    "en-CA": "English (Canada)",
    "en-GB": "English (U.K.)",
    "en-US": "English (U.S.)",
    "es-ES": "Spanish (Spain)",
    "es-MX": "Spanish (Mexico)",
    "fi": "Finnish",
    "fr-CA": "French (Canada)",
    "fr-FR": "French",
    "gu-IN": "Gujarati",  # 2026
    "he": "Hebrew",
    "hi": "Hindi",
    "hr": "Croatian",
    "hu": "Hungarian",
    "id": "Indonesian",
    "it": "Italian",
    "ja": "Japanese",
    "kn-IN": "Kannada",  # 2026
    "ko": "Korean",
    "ml-IN": "Malayalam",  # 2026
    "mr-IN": "Marathi",  # 2026
    "ms": "Malay",
    "nl-NL": "Dutch",
    "no": "Norwegian",
    "or-IN": "Odia",  # 2026
    "pa-IN": "Punjabi",  # 2026
    "pl": "Polish",
    "pt-BR": "Portuguese (Brazil)",
    "pt-PT": "Portuguese (Portugal)",
    "ro": "Romanian",
    "ru": "Russian",
    "sk": "Slovak",
    "sl-SI": "Slovenian",  # 2026
    "sv": "Swedish",
    "ta-IN": "Tamil",  # 2026
    "te-IN": "Telugu",  # 2026
    "th": "Thai",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "ur-PK": "Urdu",  # 2026
    "vi": "Vietnamese",
    "zh-Hans": "Chinese (Simplified)",
    "zh-Hant": "Chinese (Traditional)",
}


def is_locale(code: str) -> bool:
    return code in APP_STORE_LOCALES


def suggest_locale(code: str) -> str:
    """The 'valid' hint for a wrong locale: the same code in the right case, a close one, or all."""
    by_fold = {c.casefold(): c for c in APP_STORE_LOCALES}
    same_case_folded = by_fold.get(code.casefold().replace("_", "-"))
    if same_case_folded:
        return f"did you mean {same_case_folded}?"
    language = code.replace("_", "-").split("-")[0].casefold()
    same_language = [c for c in APP_STORE_LOCALES if c.split("-")[0].casefold() == language]
    if len(same_language) == 1:
        return f"did you mean {same_language[0]}?"
    if same_language:
        return "one of " + ", ".join(same_language)
    close = difflib.get_close_matches(code, list(APP_STORE_LOCALES), n=1, cutoff=0.6)
    if close:
        return f"did you mean {close[0]}?"
    return "one of the 50 App Store locales, e.g. en-US, de-DE, ja, zh-Hans"
