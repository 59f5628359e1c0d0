"""Screenshots of real answers: runs `treatybot serve` against the loopback fake Discord of the
end-to-end tests, plays a user (slash commands, a mention and a follow-up in its thread), keeps
every message the bot sends (content, embeds, buttons) and has tools/discord-render/render.mjs
draw each conversation with Discord's look in headless Chromium, as PNGs in docs/screenshots/.

Run it with `make screenshots` (it installs Chromium when missing). Needs a built index, the
test extras (aiohttp) and `npm ci` in tools/discord-render.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from index_contract.config import load_settings  # noqa: E402
from tests.discord.e2e.conftest import (  # noqa: E402
    BOT_TOKEN,
    LiveBot,
    serve_command,
    serve_environment,
    wait_until_connected,
    write_config,
)
from tests.discord.e2e.fake_discord import FakeDiscord, Request  # noqa: E402

RENDERER = ROOT / "tools" / "discord-render" / "render.mjs"
OUT = ROOT / "docs" / "screenshots"
ANSWER_TIMEOUT = 60.0
SETTLE_SECONDS = 1.0  # after the first message, for the rest of a multi-message answer
USER = 1001
USER_NAME = "Dana"
QUESTION = "Can the authorities search and seize stored electronic data?"
DECLINED = "Which countries have ratified the convention?"
FOLLOW_UP = "What safeguards apply?"
MESSAGE_CALLBACK = 4


def bot_message(body: dict[str, Any]) -> dict[str, Any]:
    """What the client draws of a message the bot sent."""
    return {
        "author": "treatybot",
        "bot": True,
        "content": body.get("content") or "",
        "embeds": body.get("embeds") or [],
        "components": body.get("components") or [],
        "ephemeral": bool((body.get("flags") or 0) & (1 << 6)),
    }


def user_message(content: str) -> dict[str, Any]:
    return {"author": USER_NAME, "bot": False, "content": content, "embeds": [], "components": []}


class Session:
    def __init__(self, bot: LiveBot) -> None:
        self.bot = bot
        self.server = bot.server

    def _wait(self, matches: Callable[[Request], bool]) -> list[Request]:
        """The requests that match, once one has come and no more came for SETTLE_SECONDS."""
        self.server.wait_for_requests(matches, 1, ANSWER_TIMEOUT)
        count = -1
        while count != len(self.server.requests(matches)):
            count = len(self.server.requests(matches))
            time.sleep(SETTLE_SECONDS)
        return self.server.requests(matches)

    def slash(self, name: str, **options: Any) -> dict[str, Any]:
        """A slash command and the messages it was answered with."""
        sent = self.server.slash(name, USER, **options)
        followup = f"/webhooks/{self.server.application_id}/{sent.token}"
        callback = f"/interactions/{sent.id}/{sent.token}/callback"

        def answered(r: Request) -> bool:
            if r.method == "POST" and r.path == followup:
                return True
            return r.path == callback and (r.body or {}).get("type") == MESSAGE_CALLBACK

        messages = []
        for request in self._wait(answered):
            body = request.body["data"] if request.path == callback else request.body
            messages.append(bot_message(body))
        return {"command": f"/{name}", "user": USER_NAME, "messages": messages}  # as the client shows it

    def channel_messages(self, channel_id: str) -> list[dict[str, Any]]:
        path = f"/channels/{channel_id}/messages"
        return [
            bot_message(r.body) for r in self.server.requests(lambda r: r.method == "POST" and r.path == path)
        ]

    def mention_then_follow_up(self) -> dict[str, Any]:
        """A question by mention (answered in a new thread), then one in the thread, no mention."""
        mention = f"<@{self.server.application_id}> {QUESTION}"
        self.server.say(mention, USER)
        self.server.wait_for(lambda state: bool(state.threads), ANSWER_TIMEOUT, "a thread")
        thread = self.server.threads()[0]
        in_thread = f"/channels/{thread['id']}/messages"
        first = len(self._wait(lambda r: r.method == "POST" and r.path == in_thread))
        self.server.say(FOLLOW_UP, USER, int(thread["id"]), mention_bot=False)
        self.server.wait_for_requests(
            lambda r: r.method == "POST" and r.path == in_thread, first + 1, ANSWER_TIMEOUT
        )
        self._wait(lambda r: r.method == "POST" and r.path == in_thread)
        answers = self.channel_messages(thread["id"])
        return {
            "user": USER_NAME,
            "channel": [user_message(mention)],
            "thread": {
                "name": thread["name"],
                "messages": [*answers[:first], user_message(FOLLOW_UP), *answers[first:]],
            },
        }

    def command_names(self) -> set[str]:
        synced = self.server.requests(lambda r: r.method == "PUT" and r.path.endswith("/commands"))
        return {command["name"] for request in synced for command in request.body or []}


def capture(session: Session) -> list[dict[str, Any]]:
    """Each scene: a file name, what it shows, and the conversation."""
    scenes = [
        (
            "answer",
            "/ask: the quotes, the passage that answers highlighted",
            session.slash("ask", question=QUESTION),
        ),
        (
            "decline",
            "/ask out of scope: declined, with where to look",
            session.slash("ask", question=DECLINED),
        ),
        ("article", "/article: the exact text, in pages", session.slash("article", number="53")),
        ("compare", "/compare: beside the Budapest Convention", session.slash("compare", article="28")),
        ("define", "/define: the treaty's own definition", session.slash("define", term="UNCC Art. 2(c)")),
        ("thread", "a mention answered in a thread, then a follow-up", session.mention_then_follow_up()),
    ]
    if "help" in session.command_names():
        scenes.append(("help", "/help", session.slash("help")))
    else:
        print("screenshots: the bot has no /help command yet; skipped help.png")
    bot_id = str(session.server.application_id)
    return [{"name": name, "caption": caption, "bot_id": bot_id, **scene} for name, caption, scene in scenes]


def run_bot(folder: Path) -> LiveBot:
    settings = load_settings()
    server = FakeDiscord(BOT_TOKEN).start()
    discord = {
        "guild_ids": [server.guild_id],
        "default_visibility": "public",
        "cooldown": {"rate": 0},
        "reload_check_seconds": 0,
        "feedback_db": str(folder / "feedback.sqlite3"),
    }
    config = write_config(folder / "treatybot.yaml", settings, Path(settings.index), discord)
    log_file = folder / "bot.log"
    with log_file.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            serve_command(config),
            cwd=ROOT,
            env=serve_environment(server, BOT_TOKEN),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    return LiveBot(server, process, log_file, folder / "feedback.sqlite3")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the PNGs (default: %(default)s)")
    parser.add_argument("--scenes", type=Path, help="also keep the captured messages in this JSON file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="treatybot-screenshots-") as tmp:
        folder = Path(tmp)
        bot = run_bot(folder)
        try:
            wait_until_connected(bot)
            scenes = capture(Session(bot))
        except BaseException:
            print(bot.log_text()[-4000:], file=sys.stderr)
            raise
        finally:
            bot.process.terminate()
            try:
                bot.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                bot.process.kill()
            bot.server.stop()
        scenes_file = args.scenes or folder / "scenes.json"
        scenes_file.write_text(json.dumps(scenes, ensure_ascii=False, indent=1), encoding="utf-8")
        args.out.mkdir(parents=True, exist_ok=True)
        subprocess.run(["node", str(RENDERER), str(scenes_file), str(args.out)], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
