"""Chinese is the default language: every message of the interface must have its translation."""

import subprocess
from pathlib import Path

CATALOG = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _entries(*flags: str) -> str:
    result = subprocess.run(
        ["msgattrib", *flags, str(CATALOG)], capture_output=True, text=True, check=True
    )
    return result.stdout


def test_every_message_has_a_chinese_translation() -> None:
    assert _entries("--untranslated", "--no-obsolete") == ""


def test_no_translation_is_a_fuzzy_guess() -> None:
    assert _entries("--only-fuzzy", "--no-obsolete") == ""


def test_the_catalog_compiles_with_its_placeholders_checked() -> None:
    subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(CATALOG)], check=True)
