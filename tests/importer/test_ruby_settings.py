"""The Appfile/Deliverfile reader: the Ruby teams write, read without running Ruby."""

from __future__ import annotations

from pathlib import Path

import pytest

from ascsync.commands.fastlane.ruby import read_ruby_settings

PATH = Path("fastlane/Deliverfile")


def read(text: str, env: dict[str, str] | None = None):
    return read_ruby_settings(PATH, text, env or {})


@pytest.mark.parametrize(
    ("line", "env", "value", "problem"),
    [
        ('app_identifier "com.example.a"', {}, "com.example.a", None),
        ("app_identifier('com.example.a')", {}, "com.example.a", None),
        ('app_identifier ENV["APP_ID"]', {"APP_ID": "com.example.b"}, "com.example.b", None),
        ("app_identifier ENV['APP_ID']", {}, None, "reads $APP_ID, which is not set"),
        ('app_identifier ENV.fetch("APP_ID")', {}, None, "reads $APP_ID, which is not set"),
        ('app_identifier ENV.fetch("APP_ID", "com.example.c")', {}, "com.example.c", None),
        ('app_identifier(ENV["APP_ID"] || "com.example.d")', {}, "com.example.d", None),
        ('app_identifier ENV["APP_ID"] || "x"', {"APP_ID": "com.example.e"}, "com.example.e", None),
        ("skip_screenshots true", {}, True, None),
        ("price_tier 0", {}, 0, None),
        ('name "Line\\nbreak \\"quoted\\""', {}, 'Line\nbreak "quoted"', None),
    ],
)
def test_values(line, env, value, problem):
    settings = read(line + "\n", env)
    setting = settings.get(line.split("(")[0].split()[0], "IOS")
    assert setting is not None and settings.skipped_lines == []
    assert setting.value == value
    assert (setting.problem is None) if problem is None else problem in setting.problem


def test_hashes_and_arrays_across_lines():
    settings = read(
        'languages ["en-US",\n  "ar-SA", # Arabic\n  "he"]\n'
        "description({\n"
        '  "en-US" => "Tides.",\n'
        "  'he' => \"גאות ושפל\",\n"
        "})\n"
        "trade_representative_contact_information(\n"
        '  first_name: "Min-jun",\n'
        "  is_displayed_on_app_store: false,\n"
        ")\n"
    )
    assert settings.get("languages", "IOS").value == ["en-US", "ar-SA", "he"]
    assert settings.get("description", "IOS").value == {"en-US": "Tides.", "he": "גאות ושפל"}
    assert settings.get("trade_representative_contact_information", "IOS").value == {
        "first_name": "Min-jun",
        "is_displayed_on_app_store": False,
    }
    assert settings.skipped_lines == []


def test_what_cannot_be_read_is_listed_by_line_not_guessed():
    settings = read(
        'copyright "#{Time.now.year} Example"\n'
        "if ENV['CI']\n"
        '  app_version "9.9"\n'
        "end\n"
        "app_version File.read('VERSION').strip\n"
        'app_identifier "com.example.a"\n'
    )
    assert settings.skipped_lines == [1, 2, 3, 5]
    assert settings.get("copyright", "IOS") is None
    assert settings.get("app_version", "IOS") is None
    assert settings.get("app_identifier", "IOS").value == "com.example.a"  # after `end`


def test_platform_and_lane_blocks_scope_their_settings():
    settings = read(
        'metadata_path "./fastlane/metadata"\n'
        "for_platform :mac do\n"
        '  metadata_path "./fastlane/metadata-mac"\n'
        "end\n"
        "platform :ios do\n"
        "  lane :beta do |options|\n"
        '    app_identifier "com.example.beta"\n'
        "  end\n"
        "end\n"
    )
    assert settings.get("metadata_path", "IOS").value == "./fastlane/metadata"
    assert settings.get("metadata_path", "MAC_OS").value == "./fastlane/metadata-mac"
    assert settings.get("app_identifier", "IOS") is None  # only inside a lane
    assert [s.lane for s in settings.all("app_identifier", "IOS")] == ["beta"]
