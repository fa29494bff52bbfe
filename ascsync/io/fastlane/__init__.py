"""``ascsync import fastlane``: turn a fastlane ``deliver`` folder into an ascsync repo."""

from ascsync.io.fastlane._old import import_group

__all__ = ["import_group"]
