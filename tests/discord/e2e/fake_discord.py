"""A small Discord-compatible REST API and gateway on 127.0.0.1, for end-to-end tests.

It speaks just enough of Discord's protocol for a discord.py bot: the gateway sends HELLO,
acknowledges heartbeats, answers IDENTIFY with READY and dispatches INTERACTION_CREATE events
the test sends; the REST API logs the bot in, accepts command syncs and records every
interaction callback and follow-up webhook, with the time it arrived.

Sharding: `/gateway/bot` recommends `shard_count` shards; each gateway connection identifies
with `[shard_id, shard_count]` and gets READY (then GUILD_CREATE) with the guilds of its shard
(`(guild_id >> 22) % shard_count`). An interaction goes out on the connection of the shard
that owns its guild (DMs on shard 0), or nowhere when that shard is not connected.
`block_shard` closes a shard's connection and refuses it until `unblock_shard`.

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
OP_DISPATCH, OP_HEARTBEAT, OP_IDENTIFY, OP_RESUME, OP_HELLO, OP_HEARTBEAT_ACK = 0, 1, 2, 6, 10, 11
CLOSE_AUTHENTICATION_FAILED = 4004
CLOSE_UNKNOWN_ERROR = 4000  # the client reconnects (and tries to resume)
DM_CHANNEL, GUILD_TEXT, PUBLIC_THREAD = 1, 0, 11
APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE = 2, 3, 4
BUTTON = 2
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
    shards: set[int] = field(default_factory=set)  # shards with a live, identified connection
    undelivered: list[str] = field(default_factory=list)  # events no connection could take
    threads: list[dict[str, Any]] = field(default_factory=list)  # threads the bot opened


class FakeDiscord:
    def __init__(self, token: str, *, guild_id: int = 0, channel_id: int = 0, shard_count: int = 1) -> None:
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
        self.shard_count = shard_count
        self.guild_id = guild_id or self.snowflake()
        self.channel_id = channel_id or self.snowflake()
        self.channels = {self.guild_id: self.channel_id}  # guild -> its text channel
        self.dm_channel_id = self.snowflake()
        self._state = _State()
        self._by_shard: dict[int, web.WebSocketResponse] = {}
        self._blocked: set[int] = set()
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

    def guild_on_shard(self, shard_id: int) -> int:
        """A guild (with a text channel) that lives on `shard_id` of `shard_count`."""
        for guild_id in self.channels:
            if self.shard_of(guild_id) == shard_id:
                return guild_id
        while True:
            guild_id = self.snowflake()
            if self.shard_of(guild_id) == shard_id:
                self.channels[guild_id] = self.snowflake()
                return guild_id

    def shard_of(self, guild_id: int | None) -> int:
        return 0 if guild_id is None else (guild_id >> 22) % self.shard_count

    def connected_shards(self) -> set[int]:
        with self._changed:
            return set(self._state.shards)

    def wait_for_shards(self, shards: set[int], timeout: float) -> None:
        self.wait_for(lambda state: shards <= state.shards, timeout, f"shards {sorted(shards)} to identify")

    def block_shard(self, shard_id: int) -> None:
        """Close the shard's connection and refuse it until `unblock_shard`."""
        self._blocked.add(shard_id)
        socket = self._by_shard.get(shard_id)
        if socket is not None:
            asyncio.run_coroutine_threadsafe(socket.close(code=CLOSE_UNKNOWN_ERROR), self._loop).result(
                STARTUP_TIMEOUT
            )

    def unblock_shard(self, shard_id: int) -> None:
        self._blocked.discard(shard_id)

    def slash(self, name: str, user_id: int, guild_id: int | None = 0, **options: Any) -> SentInteraction:
        """Dispatch a slash-command interaction, as if a user ran it; returns at once. `guild_id`
        0 means the default guild, None a DM."""
        return self.interaction(APPLICATION_COMMAND, name, user_id, options, guild_id=guild_id)

    def interaction(
        self,
        kind: int,
        name: str,
        user_id: int,
        options: dict[str, Any],
        focused: str | None = None,
        guild_id: int | None = 0,
    ) -> SentInteraction:
        guild_id = self.guild_id if guild_id == 0 else guild_id
        interaction_id = self.snowflake()
        token = f"interaction-token-{interaction_id}"
        payload = self._interaction_payload(
            kind, interaction_id, token, name, user_id, options, focused, guild_id
        )
        event = self._dispatch("INTERACTION_CREATE", payload, self.shard_of(guild_id))
        future = asyncio.run_coroutine_threadsafe(event, self._loop)
        return SentInteraction(interaction_id, token, future.result(STARTUP_TIMEOUT))

    def click(
        self, custom_id: str, user_id: int, guild_id: int | None, message: dict[str, Any]
    ) -> SentInteraction:
        """Press a button (`custom_id`) on a message the bot sent (its request body)."""
        interaction_id = self.snowflake()
        token = f"interaction-token-{interaction_id}"
        payload = self._interaction_payload(
            MESSAGE_COMPONENT, interaction_id, token, "", user_id, {}, None, guild_id
        )
        payload["data"] = {"custom_id": custom_id, "component_type": BUTTON}
        payload["message"] = self._message(message, webhook=True)
        event = self._dispatch("INTERACTION_CREATE", payload, self.shard_of(guild_id))
        future = asyncio.run_coroutine_threadsafe(event, self._loop)
        return SentInteraction(interaction_id, token, future.result(STARTUP_TIMEOUT))

    def say(
        self, content: str, user_id: int, channel_id: int = 0, *, mention_bot: bool = True
    ) -> dict[str, Any]:
        """A user posts `content` in a channel or thread of the default guild (mentioning the bot,
        unless told not to), as MESSAGE_CREATE; returns the message as dispatched."""
        channel_id = channel_id or self.channel_id
        user = {"id": str(user_id), "username": f"user{user_id}", "discriminator": "0", "avatar": None}
        message = {
            **self._message({"content": content}, webhook=False, channel_id=channel_id),
            "author": user,
            "guild_id": str(self.guild_id),
            "member": {"roles": [], "joined_at": datetime.now(UTC).isoformat(), "deaf": False, "mute": False},
            "mentions": [self.bot_user] if mention_bot else [],
        }
        del message["application_id"]
        event = self._dispatch("MESSAGE_CREATE", message, self.shard_of(self.guild_id))
        asyncio.run_coroutine_threadsafe(event, self._loop).result(STARTUP_TIMEOUT)
        return message

    def threads(self) -> list[dict[str, Any]]:
        """The threads the bot opened, oldest first."""
        with self._changed:
            return list(self._state.threads)

    def burst(self, name: str, calls: list[tuple[int, dict[str, Any]]]) -> list[SentInteraction]:
        """Dispatch many slash commands back to back, in one go: (user id, options) each."""
        payloads = []
        for user_id, options in calls:
            interaction_id = self.snowflake()
            token = f"interaction-token-{interaction_id}"
            payload = self._interaction_payload(
                APPLICATION_COMMAND, interaction_id, token, name, user_id, options, None, self.guild_id
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
        if path.startswith(("/users/", "/oauth2/", "/applications/", "/gateway/")) and not self._authorized(
            request
        ):
            return _json({"message": "401: Unauthorized", "code": 0}, status=401)
        route = (request.method, _shape(path))
        if route == ("GET", "/users/@me"):
            return _json(self.bot_user)
        if route == ("GET", "/gateway/bot"):
            limit = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
            return _json({"url": self.gateway_url, "shards": self.shard_count, "session_start_limit": limit})
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
            return _json(self._message(body or {}, webhook=False, channel_id=int(path.split("/")[2])))
        if route == ("POST", "/channels/{}/messages/{}/threads"):
            thread = self._new_thread(int(path.split("/")[2]), int(path.split("/")[4]), body or {})
            await self._dispatch("THREAD_CREATE", {**thread, "newly_created": True})
            return _json(thread)
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
        shard: int | None = None
        async for frame in socket:
            if frame.type is not WSMsgType.TEXT:
                continue
            message = json.loads(frame.data)
            op, data = message.get("op"), message.get("d") or {}
            if op == OP_HEARTBEAT:
                await socket.send_json({"op": OP_HEARTBEAT_ACK})
            elif op == OP_IDENTIFY:
                if data.get("token") != self.token:
                    await socket.close(code=CLOSE_AUTHENTICATION_FAILED)
                    break
                shard = int((data.get("shard") or [0, 1])[0])
                if not await self._admit(socket, shard):
                    break
                await socket.send_json(self._frame("READY", self._ready(shard)))
                for guild_id in self._guilds_of(shard):
                    await socket.send_json(self._frame("GUILD_CREATE", self._guild(guild_id)))
                self._set(identified=True)
            elif op == OP_RESUME:
                shard = int(str(data.get("session_id", "fake-session-0")).rpartition("-")[2] or 0)
                if not await self._admit(socket, shard):
                    break
                await socket.send_json(self._frame("RESUMED", {}))
        self._sockets.remove(socket)
        if shard is not None and self._by_shard.get(shard) is socket:
            del self._by_shard[shard]
            with self._changed:
                self._state.shards.discard(shard)
                self._changed.notify_all()
        return socket

    async def _admit(self, socket: web.WebSocketResponse, shard: int) -> bool:
        """Take the connection for `shard`, unless the shard is blocked."""
        if shard in self._blocked:
            await socket.close(code=CLOSE_UNKNOWN_ERROR)
            return False
        self._by_shard[shard] = socket
        with self._changed:
            self._state.shards.add(shard)
            self._changed.notify_all()
        return True

    def _guilds_of(self, shard: int) -> list[int]:
        return [guild_id for guild_id in self.channels if self.shard_of(guild_id) == shard]

    def _frame(self, event: str, data: dict[str, Any]) -> dict[str, Any]:
        return {"op": OP_DISPATCH, "t": event, "s": next(self._sequence), "d": data}

    async def _dispatch(self, event: str, data: dict[str, Any], shard: int = 0) -> float:
        """Send an event on the connection of `shard` (with one shard: on every connection)."""
        frame = self._frame(event, data)
        sent_at = time.perf_counter()
        sockets = list(self._sockets) if self.shard_count == 1 else [self._by_shard.get(shard)]
        delivered = False
        for socket in sockets:
            if socket is not None and not socket.closed:
                await socket.send_json(frame)
                delivered = True
        if not delivered:
            with self._changed:
                self._state.undelivered.append(f"{event} {data.get('id', '')}")
        return sent_at

    # --- payloads ------------------------------------------------------------------------------

    def _ready(self, shard: int = 0) -> dict[str, Any]:
        return {
            "v": 10,
            "user": self.bot_user,
            "guilds": [{"id": str(guild_id), "unavailable": True} for guild_id in self._guilds_of(shard)],
            "shard": [shard, self.shard_count],
            "session_id": f"fake-session-{shard}",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(self.application_id), "flags": 0},
            "private_channels": [],
        }

    def _guild(self, guild_id: int) -> dict[str, Any]:
        channel = {
            "id": str(self.channels[guild_id]),
            "type": GUILD_TEXT,
            "guild_id": str(guild_id),
            "name": "general",
            "position": 0,
            "permission_overwrites": [],
        }
        return {
            "id": str(guild_id),
            "name": f"guild {guild_id}",
            "owner_id": str(self.application_id),
            "unavailable": False,
            "member_count": 2,
            "channels": [channel],
            "threads": [],
            "roles": [],
            "emojis": [],
            "stickers": [],
            "features": [],
            "members": [],
            "presences": [],
            "voice_states": [],
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
        guild_id: int | None,
    ) -> dict[str, Any]:
        user = {"id": str(user_id), "username": f"user{user_id}", "discriminator": "0", "avatar": None}
        data = {
            "id": str(self.snowflake()),
            "name": name,
            "type": 1,
            "options": [
                {"name": key, "type": OPTION_TYPES[type(value)], "value": value}
                | ({"focused": True} if key == focused else {})
                for key, value in options.items()
            ],
        }
        common = {
            "id": str(interaction_id),
            "application_id": str(self.application_id),
            "type": kind,
            "token": token,
            "version": 1,
            "app_permissions": ALL_PERMISSIONS,
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
            "locale": "en-US",
            "entitlements": [],
            "data": data,
        }
        if guild_id is None:  # a DM with the bot
            dm = {"id": str(self.dm_channel_id), "type": DM_CHANNEL}
            return {
                **common,
                "channel_id": dm["id"],
                "channel": {**dm, "recipients": [user], "flags": 0},
                "user": user,
                "authorizing_integration_owners": {"1": str(user_id)},
                "context": 1,
            }
        channel_id = self.channels[guild_id]
        channel = {"id": str(channel_id), "type": GUILD_TEXT, "guild_id": str(guild_id), "name": "general"}
        return {
            **common,
            "guild_id": str(guild_id),
            "channel_id": str(channel_id),
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
            "guild_locale": "en-US",
            "authorizing_integration_owners": {"0": str(guild_id)},
            "context": 0,
        }

    def _command(self, command: dict[str, Any], guild: dict[str, str]) -> dict[str, Any]:
        ids = {"id": str(self.snowflake()), "application_id": str(self.application_id), "version": "1"}
        # As Discord does: every command comes back with a description, empty for message commands.
        return {"description": "", **command, **ids, **guild}

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

    def _new_thread(self, parent_id: int, message_id: int, body: dict[str, Any]) -> dict[str, Any]:
        """A public thread the bot opens on a message (the thread's id is the message's)."""
        thread = {
            "id": str(message_id),
            "type": PUBLIC_THREAD,
            "guild_id": str(self.guild_id),
            "parent_id": str(parent_id),
            "owner_id": str(self.application_id),
            "name": body.get("name", ""),
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "message_count": 0,
            "member_count": 1,
            "flags": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": body.get("auto_archive_duration", 1440),
                "archive_timestamp": datetime.now(UTC).isoformat(),
                "locked": False,
            },
        }
        with self._changed:
            self._state.threads.append(thread)
            self._changed.notify_all()
        return thread

    def _message(self, body: dict[str, Any], *, webhook: bool, channel_id: int = 0) -> dict[str, Any]:
        return {
            "id": str(self.snowflake()),
            "channel_id": str(channel_id or self.channel_id),
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
ROUTE_WORDS |= {"channels", "typing", "guilds", "commands", "gateway", "bot", "@me", "@original", "threads"}


def _shape(path: str) -> str:
    """The route with its ids and tokens replaced by {}: /webhooks/1/abc -> /webhooks/{}/{}."""
    return "/".join(part if not part or part in ROUTE_WORDS else "{}" for part in path.split("/"))


def _json(data: Any, status: int = 200) -> web.Response:
    return web.Response(
        body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json"}
    )
