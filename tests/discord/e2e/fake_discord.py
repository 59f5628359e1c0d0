"""A small Discord-compatible REST API and gateway on 127.0.0.1, for end-to-end tests.

It speaks just enough of Discord's protocol for a discord.py bot: the gateway sends HELLO,
acknowledges heartbeats, answers IDENTIFY with READY and dispatches INTERACTION_CREATE events
the test sends; the REST API logs the bot in, accepts command syncs and records every
interaction callback and follow-up webhook, with the time it arrived.

It runs its own event loop in a background thread, so tests can drive it synchronously and
a bot in another process (or another loop) talks to it over real sockets. JSON replies carry
the content type `application/json` exactly, as discord.py requires.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import WSMsgType, web

DISCORD_EPOCH_MS = 1_420_070_400_000
HEARTBEAT_INTERVAL_MS = 41_250
API_PREFIX = "/api/v10"
GATEWAY_PATH = "/gateway"
EPHEMERAL_FLAG = 1 << 6
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024
ALL_PERMISSIONS = str((1 << 50) - 1)
STARTUP_TIMEOUT = 10.0
OP_DISPATCH, OP_HEARTBEAT, OP_IDENTIFY, OP_HELLO, OP_HEARTBEAT_ACK = 0, 1, 2, 10, 11
CLOSE_AUTHENTICATION_FAILED = 4004
APPLICATION_COMMAND, AUTOCOMPLETE = 2, 4
OPTION_TYPES = {str: 3, int: 4, bool: 5}


@dataclass(frozen=True)
class Request:
    """One REST call the bot made."""

    at: float  # time.perf_counter() when it arrived
    method: str
    path: str  # without the /api/v10 prefix
    query: dict[str, str]
    body: Any


@dataclass
class SentInteraction:
    id: int
    token: str
    sent_at: float


@dataclass
class _State:
    requests: list[Request] = field(default_factory=list)
    identified: bool = False
    synced: bool = False


class FakeDiscord:
    def __init__(self, token: str, *, guild_id: int = 0, channel_id: int = 0) -> None:
        self.token = token
        self._ids = itertools.count(1)
        self.application_id = self.snowflake()
        self.bot_user = {
            "id": str(self.application_id),
            "username": "treatybot",
            "discriminator": "0",
            "global_name": None,
            "avatar": None,
            "bot": True,
        }
        self.guild_id = guild_id or self.snowflake()
        self.channel_id = channel_id or self.snowflake()
        self._state = _State()
        self._changed = threading.Condition()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fake-discord", daemon=True)
        self._sockets: list[web.WebSocketResponse] = []
        self._sequence = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakeDiscord:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(STARTUP_TIMEOUT)
        return self

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(STARTUP_TIMEOUT)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(STARTUP_TIMEOUT)

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}{GATEWAY_PATH}"

    # --- what the test does ------------------------------------------------------------------

    def snowflake(self) -> int:
        now_ms = int(time.time() * 1000)
        return ((now_ms - DISCORD_EPOCH_MS) << 22) | (next(self._ids) & 0x3FFFFF)

    def wait_until_ready(self, timeout: float) -> None:
        """Until the bot has identified on the gateway and synced its commands."""
        self.wait_for(lambda state: state.identified and state.synced, timeout, "the bot to connect and sync")

    def slash(self, name: str, user_id: int, **options: Any) -> SentInteraction:
        """Dispatch a slash-command interaction, as if a user ran it; returns at once."""
        return self.interaction(APPLICATION_COMMAND, name, user_id, options)

    def interaction(
        self, kind: int, name: str, user_id: int, options: dict[str, Any], focused: str | None = None
    ) -> SentInteraction:
        interaction_id = self.snowflake()
        token = f"interaction-token-{interaction_id}"
        payload = self._interaction_payload(kind, interaction_id, token, name, user_id, options, focused)
        future = asyncio.run_coroutine_threadsafe(self._dispatch("INTERACTION_CREATE", payload), self._loop)
        return SentInteraction(interaction_id, token, future.result(STARTUP_TIMEOUT))

    def burst(self, name: str, calls: list[tuple[int, dict[str, Any]]]) -> list[SentInteraction]:
        """Dispatch many slash commands back to back, in one go: (user id, options) each."""
        payloads = []
        for user_id, options in calls:
            interaction_id = self.snowflake()
            token = f"interaction-token-{interaction_id}"
            payload = self._interaction_payload(
                APPLICATION_COMMAND, interaction_id, token, name, user_id, options, None
            )
            payloads.append((interaction_id, token, payload))

        async def send_all() -> list[float]:
            return [await self._dispatch("INTERACTION_CREATE", payload) for _, _, payload in payloads]

        times = asyncio.run_coroutine_threadsafe(send_all(), self._loop).result(STARTUP_TIMEOUT)
        return [SentInteraction(i, t, at) for (i, t, _), at in zip(payloads, times, strict=True)]

    def requests(self, predicate: Callable[[Request], bool] = lambda _r: True) -> list[Request]:
        with self._changed:
            return [r for r in self._state.requests if predicate(r)]

    def callbacks(self, sent: SentInteraction) -> list[Request]:
        """The bot's interaction responses (defer, message, autocomplete) to one interaction."""
        path = f"/interactions/{sent.id}/{sent.token}/callback"
        return self.requests(lambda r: r.path == path)

    def followups(self, sent: SentInteraction) -> list[Request]:
        """The follow-up messages the bot sent with that interaction's token."""
        path = f"/webhooks/{self.application_id}/{sent.token}"
        return self.requests(lambda r: r.method == "POST" and r.path == path)

    def wait_for(self, predicate: Callable[[_State], bool], timeout: float, what: str) -> None:
        with self._changed:
            if not self._changed.wait_for(lambda: predicate(self._state), timeout):
                raise TimeoutError(f"timed out after {timeout} s waiting for {what}")

    def wait_for_requests(self, predicate: Callable[[Request], bool], count: int, timeout: float) -> None:
        self.wait_for(
            lambda state: sum(1 for r in state.requests if predicate(r)) >= count,
            timeout,
            f"{count} matching requests",
        )

    # --- the server ----------------------------------------------------------------------------

    async def _serve(self) -> None:
        app = web.Application()
        app.router.add_get(GATEWAY_PATH, self._gateway)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def _shutdown(self) -> None:
        for socket in list(self._sockets):
            await socket.close()
        assert self._runner is not None
        await self._runner.cleanup()

    def _record(self, request: Request) -> None:
        with self._changed:
            self._state.requests.append(request)
            self._changed.notify_all()

    def _set(self, **flags: bool) -> None:
        with self._changed:
            for name, value in flags.items():
                setattr(self._state, name, value)
            self._changed.notify_all()

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = request.path.removeprefix(API_PREFIX)
        body = await request.json() if request.can_read_body else None
        self._record(Request(time.perf_counter(), request.method, path, dict(request.query), body))
        if path.startswith(("/users/", "/oauth2/", "/applications/")) and not self._authorized(request):
            return _json({"message": "401: Unauthorized", "code": 0}, status=401)
        route = (request.method, _shape(path))
        if route == ("GET", "/users/@me"):
            return _json(self.bot_user)
        if route == ("GET", "/oauth2/applications/@me"):
            return _json(self._application())
        if request.method == "PUT" and path.endswith("/commands"):
            self._set(synced=True)
            guild = {"guild_id": path.split("/")[4]} if "/guilds/" in path else {}
            return _json([self._command(command, guild) for command in body or []])
        if route == ("POST", "/interactions/{}/{}/callback"):
            return _json(self._callback_reply(path, body or {}))
        if route in {("POST", "/webhooks/{}/{}"), ("PATCH", "/webhooks/{}/{}/messages/{}")}:
            return _json(self._message(body or {}, webhook=True))
        if route == ("POST", "/channels/{}/messages"):
            return _json(self._message(body or {}, webhook=False))
        if route == ("POST", "/channels/{}/typing"):
            return web.Response(status=204)
        return _json({"message": "404: Not Found", "code": 0}, status=404)

    def _authorized(self, request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Bot {self.token}"

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self._sockets.append(socket)
        await socket.send_json({"op": OP_HELLO, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}})
        async for frame in socket:
            if frame.type is not WSMsgType.TEXT:
                continue
            message = json.loads(frame.data)
            if message.get("op") == OP_HEARTBEAT:
                await socket.send_json({"op": OP_HEARTBEAT_ACK})
            elif message.get("op") == OP_IDENTIFY:
                if message["d"].get("token") != self.token:
                    await socket.close(code=CLOSE_AUTHENTICATION_FAILED)
                    break
                await self._dispatch("READY", self._ready())
                self._set(identified=True)
        self._sockets.remove(socket)
        return socket

    async def _dispatch(self, event: str, data: dict[str, Any]) -> float:
        frame = {"op": OP_DISPATCH, "t": event, "s": next(self._sequence), "d": data}
        sent_at = time.perf_counter()
        for socket in self._sockets:
            await socket.send_json(frame)
        return sent_at

    # --- payloads ------------------------------------------------------------------------------

    def _ready(self) -> dict[str, Any]:
        return {
            "v": 10,
            "user": self.bot_user,
            "guilds": [],
            "session_id": "fake-session",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(self.application_id), "flags": 0},
            "private_channels": [],
        }

    def _application(self) -> dict[str, Any]:
        return {
            "id": str(self.application_id),
            "name": "treatybot",
            "description": "",
            "icon": None,
            "bot_public": False,
            "bot_require_code_grant": False,
            "owner": self.bot_user,
            "verify_key": "0" * 64,
            "flags": 0,
        }

    def _interaction_payload(
        self,
        kind: int,
        interaction_id: int,
        token: str,
        name: str,
        user_id: int,
        options: dict[str, Any],
        focused: str | None,
    ) -> dict[str, Any]:
        user = {"id": str(user_id), "username": f"user{user_id}", "discriminator": "0", "avatar": None}
        channel = {"id": str(self.channel_id), "type": 0, "guild_id": str(self.guild_id), "name": "general"}
        return {
            "id": str(interaction_id),
            "application_id": str(self.application_id),
            "type": kind,
            "token": token,
            "version": 1,
            "guild_id": str(self.guild_id),
            "channel_id": str(self.channel_id),
            "channel": {**channel, "position": 0, "permission_overwrites": [], "nsfw": False, "flags": 0},
            "member": {
                "user": user,
                "roles": [],
                "joined_at": datetime.now(UTC).isoformat(),
                "deaf": False,
                "mute": False,
                "flags": 0,
                "pending": False,
                "permissions": ALL_PERMISSIONS,
            },
            "app_permissions": ALL_PERMISSIONS,
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(self.guild_id)},
            "context": 0,
            "data": {
                "id": str(self.snowflake()),
                "name": name,
                "type": 1,
                "options": [
                    {"name": key, "type": OPTION_TYPES[type(value)], "value": value}
                    | ({"focused": True} if key == focused else {})
                    for key, value in options.items()
                ],
            },
        }

    def _command(self, command: dict[str, Any], guild: dict[str, str]) -> dict[str, Any]:
        ids = {"id": str(self.snowflake()), "application_id": str(self.application_id), "version": "1"}
        return {**command, **ids, **guild}

    def _callback_reply(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        interaction_id = path.split("/")[2]
        flags = (body.get("data") or {}).get("flags", 0) or 0
        return {
            "interaction": {
                "id": interaction_id,
                "type": APPLICATION_COMMAND,
                "response_message_loading": body.get("type") == 5,
                "response_message_ephemeral": bool(flags & EPHEMERAL_FLAG),
            },
            "resource": None,
        }

    def _message(self, body: dict[str, Any], *, webhook: bool) -> dict[str, Any]:
        return {
            "id": str(self.snowflake()),
            "channel_id": str(self.channel_id),
            "author": self.bot_user,
            "content": body.get("content") or "",
            "timestamp": datetime.now(UTC).isoformat(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "pinned": False,
            "type": 0,
            "flags": body.get("flags") or 0,
            **({"webhook_id": str(self.application_id)} if webhook else {}),
            "application_id": str(self.application_id),
        }


ROUTE_WORDS = {"users", "oauth2", "applications", "interactions", "callback", "webhooks", "messages"}
ROUTE_WORDS |= {"channels", "typing", "guilds", "commands", "gateway", "bot", "@me", "@original"}


def _shape(path: str) -> str:
    """The route with its ids and tokens replaced by {}: /webhooks/1/abc -> /webhooks/{}/{}."""
    return "/".join(part if not part or part in ROUTE_WORDS else "{}" for part in path.split("/"))


def _json(data: Any, status: int = 200) -> web.Response:
    return web.Response(
        body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json"}
    )
