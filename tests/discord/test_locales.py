"""Command localisations: every name, description and choice of the registered commands has
a French, Spanish, Russian and Chinese version fit for Discord, and the file holds no other."""

from __future__ import annotations

from collections.abc import Iterator

import discord
import pytest
import regex
from discord import app_commands

from bot.discord_app.locales import LANGUAGES, YamlTranslator
from tests.discord.test_commands import World
from tests.discord.test_commands import world as world  # the fixture

pytestmark = pytest.mark.asyncio
# Discord's rule for command and option names (and their localisations).
NAME = regex.compile(r"^[-_\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$")
MAX_DESCRIPTION = 100
MAX_MENU_NAME = 32


def localised(payload: dict, top: bool = True) -> Iterator[tuple[str, str, dict[str, str]]]:
    """(kind, English, localisations) of a synced command payload, options and choices included."""
    menu = top and payload.get("type") == discord.AppCommandType.message.value  # an option's type differs
    kind = "menu" if menu else "name"
    yield kind, payload["name"], payload.get("name_localizations") or {}
    if payload.get("description"):
        yield "text", payload["description"], payload.get("description_localizations") or {}
    for choice in payload.get("choices", []):
        yield "text", choice["name"], choice.get("name_localizations") or {}
    for option in payload.get("options", []):
        yield from localised(option, top=False)


async def synced_payloads(tree: app_commands.CommandTree) -> list[dict]:
    commands = [*tree.get_commands(), *tree.get_commands(type=discord.AppCommandType.message)]
    return [await command.get_translated_payload(tree, tree.translator) for command in commands]


async def test_every_command_option_and_choice_is_localised_fit_for_discord(world: World) -> None:
    payloads = await synced_payloads(world.bot.tree)
    entries = [entry for payload in payloads for entry in localised(payload)]
    assert len(payloads) >= 10 and len(entries) > 60
    locales = {locale.value for locale in LANGUAGES}
    for kind, english, translations in entries:
        assert set(translations) == locales, (english, sorted(locales - set(translations)))
        for locale, text in translations.items():
            assert text.strip() == text and text, (english, locale)
            if kind == "name":
                assert NAME.match(text) and text == text.lower(), (english, locale, text)
            else:
                assert len(text) <= (MAX_MENU_NAME if kind == "menu" else MAX_DESCRIPTION), (english, text)
    for payload in payloads:  # two options of one command may not share a name in any language
        for locale in locales:
            names = [o.get("name_localizations", {}).get(locale) for o in payload.get("options", [])]
            assert len(names) == len(set(names)), (payload["name"], locale, names)


async def test_the_file_holds_nothing_the_commands_do_not_use(world: World) -> None:
    payloads = await synced_payloads(world.bot.tree)
    used = {"names": set(), "texts": set()}
    for payload in payloads:
        for kind, english, _ in localised(payload):
            used["names" if kind == "name" else "texts"].add(english)
    table = YamlTranslator().table
    for section, entries in table.items():
        assert set(entries) - used[section] == set(), f"unused in {section}"
        assert used[section] - set(entries) == set(), f"missing from {section}"


async def test_a_locale_without_translations_keeps_the_english(world: World) -> None:
    (ask,) = [p for p in await synced_payloads(world.bot.tree) if p["name"] == "ask"]
    assert (
        ask["name_localizations"]["fr"] == "demander" and ask["name_localizations"]["es-419"] == "preguntar"
    )
    assert "de" not in ask["name_localizations"] and ask["description"].startswith("Ask about")
