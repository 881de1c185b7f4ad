"""The languages uxlab's participant pages are translated into (no Flask: services use it)."""

from __future__ import annotations

#: Languages with a complete catalogue, English (the source language) first.
SHIPPED_LANGUAGES: tuple[str, ...] = ("en", "de", "fr")
DEFAULT_LANGUAGE = "en"
#: Each language's name in itself, for the switcher (not translated: a reader looks for their own).
LANGUAGE_NAMES: dict[str, str] = {"en": "English", "de": "Deutsch", "fr": "Français"}
