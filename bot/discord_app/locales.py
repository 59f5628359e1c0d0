"""Command names and descriptions in French, Spanish, Russian and Chinese.

discord.py turns every name, description and choice of the command tree into a `locale_str`
(`auto_locale_strings`); this translator looks each one up in `locales.yaml`, by its English
text, when the commands are synced. A string it does not know stays in English.
"""

from __future__ import annotations

from pathlib import Path

import discord
import yaml
from discord import app_commands

LOCALES_FILE = Path(__file__).with_name("locales.yaml")
LANGUAGES = {
    discord.Locale.french: "fr",
    discord.Locale.spain_spanish: "es",
    discord.Locale.latin_american_spanish: "es",
    discord.Locale.russian: "ru",
    discord.Locale.chinese: "zh",
}
NAME_LOCATIONS = (
    app_commands.TranslationContextLocation.command_name,
    app_commands.TranslationContextLocation.group_name,
    app_commands.TranslationContextLocation.parameter_name,
)
Table = dict[str, dict[str, str]]


def section_of(context: app_commands.TranslationContextTypes) -> str:
    """'names' for command, group and option names; 'texts' for the rest (a message command's
    name has spaces and capitals: it is a text)."""
    is_name = context.location in NAME_LOCATIONS and not isinstance(context.data, app_commands.ContextMenu)
    return "names" if is_name else "texts"


class YamlTranslator(app_commands.Translator):
    def __init__(self, path: Path = LOCALES_FILE) -> None:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        self.table: dict[str, Table] = {
            section: dict(raw.get(section) or {}) for section in ("names", "texts")
        }

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        language = LANGUAGES.get(locale)
        if language is None:
            return None
        return (self.table[section_of(context)].get(string.message) or {}).get(language)
