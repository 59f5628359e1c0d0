"""Scale-out over loopback: two `treatybot serve` processes share 4 shards ({0,1} and {2,3}) of a
fake Discord, and one PostgreSQL server for their votes; each serves metrics and health.

One story, in order: every shard and a DM answered exactly once by the process that holds
the shard; votes from both processes in PostgreSQL, read back by `treatybot feedback`; the
database going away and coming back; a shard going down turns health to 503; a process
killed and restarted.
"""

from __future__ import annotations

import json
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.cli import EXIT_OK, main
from bot.discord_app import views
from tests.discord.e2e.conftest import (
    BOT_TOKEN,
    PROJECT_ROOT,
    serve_command,
    serve_environment,
    write_config,
)
from tests.discord.e2e.fake_discord import FakeDiscord, SentInteraction
from tests.postgres import Cluster, free_port

SHARD_COUNT = 4
PROCESS_SHARDS = {"a": (0, 1), "b": (2, 3)}
CONNECT_TIMEOUT = 120.0
ANSWER_TIMEOUT = 60.0
SILENCE_SECONDS = 3.0  # how long an interaction on a dead shard is watched for a reply
POLL_SECONDS = 0.2
QUESTION = "What is the 24/7 network?"
USER = 2002


@dataclass
class ServeProcess:
    name: str
    shards: tuple[int, ...]
    config: Path
    log_file: Path
    metrics_port: int
    process: subprocess.Popen | None = None

    def start(self, server: FakeDiscord) -> None:
        with self.log_file.open("a", encoding="utf-8") as log:
            self.process = subprocess.Popen(
                serve_command(self.config),
                cwd=PROJECT_ROOT,
                env=serve_environment(server, BOT_TOKEN),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def log_lines(self) -> list[dict]:
        text = self.log_file.read_text(encoding="utf-8", errors="replace")
        return [json.loads(line) for line in text.splitlines() if line.startswith("{")]

    def handled(self) -> set[int]:
        """Interaction ids this process answered (its request log lines)."""
        return {int(line["interaction_id"]) for line in self.log_lines() if line.get("event") == "request"}

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}{path}", timeout=5) as reply:
                return reply.status, reply.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def wait_for_health(self, status: int, timeout: float = CONNECT_TIMEOUT) -> dict:
        deadline = time.monotonic() + timeout
        last: tuple[int, str] | None = None
        while time.monotonic() < deadline:
            assert self.process is not None and self.process.poll() is None, self.log_file.read_text()
            try:
                last = self.get("/health")
            except OSError:
                last = None
            if last is not None and last[0] == status:
                return json.loads(last[1])
            time.sleep(POLL_SECONDS)
        raise AssertionError(f"{self.name}: health never answered {status} (last: {last})")

    def counter(self, name: str, **labels: str) -> float:
        """A sample of the process's /metrics, 0 when it has none yet."""
        _, text = self.get("/metrics")
        for line in text.splitlines():
            if line.startswith(f"{name}{{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
                return float(line.rsplit(" ", 1)[1])
        return 0.0


@dataclass
class Deployment:
    server: FakeDiscord
    database: Cluster
    processes: dict[str, ServeProcess]
    guilds: dict[int, int]  # shard -> a guild on it


@pytest.fixture(scope="module")
def deployment(settings, index_dir, tmp_path_factory) -> Iterator[Deployment]:
    folder = tmp_path_factory.mktemp("shards")
    server = FakeDiscord(BOT_TOKEN, shard_count=SHARD_COUNT).start()
    database = Cluster().start()
    guilds = {shard: server.guild_on_shard(shard) for shard in range(SHARD_COUNT)}
    processes = {}
    for name, shards in PROCESS_SHARDS.items():
        port = free_port()
        discord = {
            "guild_ids": [guilds[0]],
            "default_visibility": "public",
            "cooldown": {"rate": 0},
            "reload_check_seconds": 0,
            "feedback_db": database.url,
            "shard_count": SHARD_COUNT,
            "shard_ids": list(shards),
            "metrics_address": f"127.0.0.1:{port}",
            "log_level": "INFO",
        }
        config = write_config(folder / f"{name}.yaml", settings, index_dir, discord)
        processes[name] = ServeProcess(name, shards, config, folder / f"{name}.log", port)
    for process in processes.values():
        process.start(server)
    try:
        server.wait_for_shards(set(range(SHARD_COUNT)), CONNECT_TIMEOUT)
        yield Deployment(server, database, processes, guilds)
    finally:
        for process in processes.values():
            process.stop()
        server.stop()
        database.remove()


def ask(deployment: Deployment, guild_id: int | None) -> SentInteraction:
    return deployment.server.slash("ask", USER, guild_id=guild_id, question=QUESTION)


def wait_answered(server: FakeDiscord, sent: SentInteraction) -> dict:
    server.wait_for_requests(lambda r: r in server.followups(sent), 1, ANSWER_TIMEOUT)
    return server.followups(sent)[0].body


def handled_by(deployment: Deployment, sent: SentInteraction) -> list[str]:
    """The processes whose request log has the interaction (a line is written after the reply)."""
    deadline = time.monotonic() + ANSWER_TIMEOUT
    while time.monotonic() < deadline:
        names = [p.name for p in deployment.processes.values() if sent.id in p.handled()]
        if names:
            time.sleep(POLL_SECONDS)  # a second process, if any, would have logged it by now too
            return [p.name for p in deployment.processes.values() if sent.id in p.handled()]
        time.sleep(POLL_SECONDS)
    return []


def print_latencies(server: FakeDiscord, sent: dict[object, SentInteraction]) -> None:
    """For the record (`pytest -s`): deferral and answer time of each interaction, in ms."""
    for key, interaction in sent.items():
        deferred = server.callbacks(interaction)[0].at - interaction.sent_at
        answered = server.followups(interaction)[0].at - interaction.sent_at
        print(f"shard {key}: deferred in {deferred * 1000:.0f} ms, answered in {answered * 1000:.0f} ms")


def click_vote(deployment: Deployment, guild_id: int | None, followup: dict, vote: str) -> SentInteraction:
    buttons = [c["custom_id"] for row in followup["components"] for c in row["components"]]
    (custom_id,) = [b for b in buttons if b.startswith(f"treatybot:vote:{vote}:")]
    return deployment.server.click(custom_id, USER, guild_id, followup)


def wait_vote_reply(server: FakeDiscord, sent: SentInteraction) -> str:
    server.wait_for_requests(lambda r: r in server.callbacks(sent), 1, ANSWER_TIMEOUT)
    (reply,) = server.callbacks(sent)
    return (reply.body.get("data") or {}).get("content", "")


def test_two_processes_share_four_shards_one_database_and_report_health(
    deployment: Deployment, capsys
) -> None:
    server, a, b = deployment.server, deployment.processes["a"], deployment.processes["b"]
    for process in (a, b):
        assert process.wait_for_health(200)["shards"] == {str(s): "connected" for s in process.shards}

    # Every shard and a DM: answered exactly once, by the process holding the shard.
    sent = {shard: ask(deployment, guild) for shard, guild in deployment.guilds.items()}
    sent["dm"] = ask(deployment, None)
    answers = {key: wait_answered(server, interaction) for key, interaction in sent.items()}
    for key, interaction in sent.items():
        assert len(server.callbacks(interaction)) == 1  # one deferral: one process took it
        owner = a if key == "dm" or key in a.shards else b
        assert handled_by(deployment, interaction) == [owner.name]
    with capsys.disabled():
        print_latencies(server, sent)
    assert a.counter("treatybot_requests_total", command="ask", outcome="ok") == 3  # shards 0, 1 and the DM
    assert b.counter("treatybot_requests_total", command="ask", outcome="ok") == 2
    assert 'treatybot_shard_connected{shard="2"} 1.0' in b.get("/metrics")[1]

    # Votes from both processes land in the one database; `treatybot feedback` reads them back.
    for shard, vote in ((0, "up"), (2, "down")):
        reply = wait_vote_reply(
            server, click_vote(deployment, deployment.guilds[shard], answers[shard], vote)
        )
        assert reply == (views.THANKS if vote == "up" else views.ASK_REASON)  # a 👎 asks why
    assert main(["feedback", "--db", deployment.database.url, "--format", "json"]) == EXIT_OK
    votes = json.loads(capsys.readouterr().out)
    assert sorted(v["vote"] for v in votes) == [-1, 1] and {v["question"] for v in votes} == {QUESTION}

    # The database goes away: the vote is said not to be stored, the bot keeps answering.
    deployment.database.stop()
    reply = wait_vote_reply(server, click_vote(deployment, deployment.guilds[1], answers[1], "up"))
    assert "could not save your vote" in reply
    wait_answered(server, ask(deployment, deployment.guilds[1]))
    deployment.database.start()
    reply = wait_vote_reply(server, click_vote(deployment, deployment.guilds[1], answers[1], "up"))
    assert reply == "Thanks for the feedback!"

    # A shard goes down: its process reports 503 until it is back.
    server.block_shard(1)
    assert a.wait_for_health(503)["shards"]["1"] == "down"
    server.unblock_shard(1)
    a.wait_for_health(200)

    # A process killed: its shards stop answering, the other's keep answering; restarted, they answer.
    b.stop()
    server.wait_for(lambda state: not state.shards & {2, 3}, CONNECT_TIMEOUT, "shards 2 and 3 to close")
    silent = ask(deployment, deployment.guilds[2])
    time.sleep(SILENCE_SECONDS)
    assert server.callbacks(silent) == []
    wait_answered(server, ask(deployment, deployment.guilds[0]))
    b.start(server)
    server.wait_for_shards({2, 3}, CONNECT_TIMEOUT)
    wait_answered(server, ask(deployment, deployment.guilds[3]))
