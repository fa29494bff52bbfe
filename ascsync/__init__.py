"""ascsync: keep an App Store Connect listing in git, validate it offline, plan and apply it."""

__version__ = "0.1.0"
