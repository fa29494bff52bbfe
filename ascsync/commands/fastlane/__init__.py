"""``ascsync import fastlane``: turn a fastlane ``deliver`` folder into an ascsync repo.

Teams arrive with years of listing text in ``fastlane/metadata`` and screenshots in
``fastlane/screenshots``; retyping it would be the first reason not to switch. The
import promises one thing above all: nothing the user wrote is lost silently. Every
file is either written into the new layout or listed in the report with the reason.

A newcomer's map of this package, in reading order:

* ``deliver`` — deliver's conventions as data (file names, categories, hints) [F];
* ``layout`` — which folders and settings files belong to which platform;
* ``ruby`` / ``settings`` — the Appfile and Deliverfile, read without running Ruby;
* ``sources`` — reading files safely (no links out) and exactly as deliver does;
* ``listing`` — locale text, ``default/`` and enabled languages;
* ``app_info`` / ``rating`` — app.yml, version.yml, age-rating.yml;
* ``screenshots`` — images and previews into typed set folders;
* ``importer`` — the whole plan; ``writer`` — merging it into a repo; ``command`` — CLI.
"""

from ascsync.commands.fastlane.command import import_group

__all__ = ["import_group"]
