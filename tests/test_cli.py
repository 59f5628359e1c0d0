"""The terminal CLI: output, JSON, error messages and exit statuses."""

import contextlib
import io
import json
import os
import pty
import select
import signal
import subprocess
import sys
import time

import pytest
from rich.console import Console

from bot.cli import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, main
from bot.cli.answers import CHAT_PROMPT
from bot.engine.engine import Engine
from bot.evaluation import evaluate, load_questions
from bot.terminal import render_eval
from index_build.build import build_index
from tests.conftest import DEV_QUESTIONS

EVAL_KEYS = {"n", "recall@1", "recall@5", "mrr@10", "refused_out_of_scope", "refused_in_scope"}


def run(capsys, *args):
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_ask_prints_quotes_with_citations(capsys, index_dir):
    status, out, _err = run(capsys, "--index", str(index_dir), "ask", "What is a production order?")
    assert status == EXIT_OK
    assert "What the treaty says" in out
    assert "UNCC Art. 27" in out and "Production order" in out
    assert "A/RES/79/243" in out and "#page=" in out  # the page of the official PDF


def test_ask_json(capsys, index_dir):
    status, out, _ = run(
        capsys, "--index", str(index_dir), "ask", "What is the 24/7 network?", "--json", "--k", "3"
    )
    payload = json.loads(out)
    assert status == EXIT_OK and payload["abstained"] is False
    assert payload["question"] == "What is the 24/7 network?"
    assert len(payload["passages"]) == 3
    assert payload["passages"][0]["citation"].startswith("UNCC Art. 41")


def test_ask_out_of_scope_says_so(capsys, index_dir):
    status, out, _ = run(
        capsys, "--index", str(index_dir), "ask", "What is the recipe for chocolate chip cookies?"
    )
    assert status == EXIT_OK
    assert "treatybot answers questions about the UN Convention" in out and "/help" in out  # one line
    assert "What the treaty says" not in out and "Nearest passages" not in out
    _, out, _ = run(
        capsys, "--index", str(index_dir), "ask", "Who won the 2022 football World Cup?", "--json"
    )
    assert json.loads(out)["abstained"] is True


def test_search_and_article(capsys, index_dir):
    status, out, _ = run(capsys, "--index", str(index_dir), "search", "intimate images", "--json", "--k", "4")
    assert status == EXIT_OK and len(json.loads(out)["passages"]) == 4
    status, out, _ = run(capsys, "--index", str(index_dir), "article", "16", "--paragraph", "2")
    assert status == EXIT_OK and "UNCC Art. 16(2)" in out
    status, out, _ = run(capsys, "--index", str(index_dir), "article", "28(3)", "--json")
    payload = json.loads(out)
    assert payload["citation"] == "UNCC Art. 28(3)" and payload["passages"][0]["paragraph"] == "3"
    status, out, _ = run(capsys, "--index", str(index_dir), "article", "19", "--treaty", "budapest")
    assert status == EXIT_OK and "Budapest Convention Art. 19" in out


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (["ask", ""], EXIT_USAGE, "empty"),
        (["ask", "x" * 501], EXIT_USAGE, "limit is 500"),
        (["ask", "What?", "--k", "0"], EXIT_USAGE, "between 1 and"),
        (["article", "69"], EXIT_USAGE, "68 articles"),
        (["article", "28", "--paragraph", "9"], EXIT_USAGE, "no paragraph 9"),
        (["article", "abc"], EXIT_USAGE, "not an article number"),
        (["article", "28(3)", "--paragraph", "4"], EXIT_USAGE, "give the paragraph once"),
        (["article", "28", "--paragraph", ""], EXIT_USAGE, "give the paragraph once"),
        (["compare", "28(3)"], EXIT_USAGE, "whole articles"),
        (["define", "x" * 101], EXIT_USAGE, "at most 100 characters"),
        (["eval", "/nonexistent.yaml"], EXIT_FAILURE, "not found"),
    ],
)
def test_errors_are_one_clear_line(capsys, index_dir, args, status, message):
    got, _out, err = run(capsys, "--index", str(index_dir), *args)
    assert got == status
    assert message in err and "Traceback" not in err
    assert err.count("\n") == 1


def test_an_unknown_treaty_is_a_usage_error_naming_the_treaties(capsys, index_dir):
    status, _, err = run(capsys, "--index", str(index_dir), "article", "3", "--treaty", "geneva")
    assert status == EXIT_USAGE
    assert "Unknown treaty 'geneva'. Choose one of: uncc (UNCC), budapest (Budapest Convention)" in err


def test_a_treaty_is_named_as_people_name_it(capsys, index_dir):
    status, out, _ = run(
        capsys, "--index", str(index_dir), "article", "2", "--treaty", "ETS No. 185", "--json"
    )
    assert status == EXIT_OK and json.loads(out)["citation"] == "Budapest Convention Art. 2"


def test_errors_with_json_are_json(capsys, index_dir):
    status, out, _ = run(capsys, "--index", str(index_dir), "article", "69", "--json")
    assert status == EXIT_USAGE and "68 articles" in json.loads(out)["error"]


def test_missing_index_says_how_to_build(capsys, tmp_path):
    status, _, err = run(capsys, "--index", str(tmp_path / "none"), "ask", "What is illegal access?")
    assert status == EXIT_FAILURE
    assert "No index at" in err and "treatybot build" in err


def test_stale_index_warns_and_keeps_answering(capsys, corpus_copy, tmp_path, warm_cache, settings):
    index = tmp_path / "index"
    build_index(corpus_copy, index, settings.model, warm_cache)
    uncc = corpus_copy / "treaty" / "uncc.md"
    uncc.write_text(uncc.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    status, out, err = run(
        capsys, "--corpus", str(corpus_copy), "--index", str(index), "ask", "What is illegal access?"
    )
    assert status == EXIT_OK and "UNCC Art. 7" in out
    assert "stale" in err and "treaty/uncc.md" in err
    status, out, _ = run(capsys, "--corpus", str(corpus_copy), "--index", str(index), "build", "--check")
    assert status == EXIT_FAILURE and "changed file: corpus:treaty/uncc.md" in out


def test_build_check_on_a_fresh_index(capsys, index_dir):
    status, out, _ = run(capsys, "--index", str(index_dir), "build", "--check")
    assert status == EXIT_OK and "up to date" in out


def test_eval_json_shape(capsys, index_dir):
    status, out, _ = run(capsys, "--index", str(index_dir), "eval", str(DEV_QUESTIONS), "--json")
    payload = json.loads(out)
    assert status == EXIT_OK
    assert set(payload) == {"hybrid", "bm25", "dense", "answer"}  # the rankings, and what users see
    for metrics in payload.values():
        assert set(metrics) == EVAL_KEYS
        assert all(0.0 <= metrics[k] <= 1.0 for k in EVAL_KEYS - {"n"})


def test_eval_table_lists_misses(capsys, index_dir, tmp_path):
    questions = tmp_path / "questions.yaml"
    questions.write_text(
        "questions:\n"
        "  - {id: x1, question: 'What is the recipe for chocolate chip cookies?', expect: [uncc:7]}\n"
        "  - {id: x2, question: 'What is a production order?', expect: [uncc:27]}\n",
        encoding="utf-8",
    )
    status, out, _ = run(capsys, "--index", str(index_dir), "eval", str(questions))
    assert status == EXIT_OK
    for name in ("hybrid", "bm25", "dense", "R@5", "MRR@10"):
        assert name in out
    assert "hybrid: 1 missed" in out and "x1 What is the recipe" in out and "refused" in out
    hybrid_misses = out.split("hybrid: 1 missed")[1].split("bm25:")[0]
    assert "x2 What is a production order" not in hybrid_misses


def test_console_entry_point_never_shows_a_traceback(index_dir):
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "--index", str(index_dir), "article", "0"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == EXIT_USAGE
    assert "Traceback" not in result.stderr and "no Article 0" in result.stderr


def test_unreadable_files_and_bad_paths_are_one_line(capsys, index_dir, tmp_path):
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes("questions:\n  - question: caf\xe9\n".encode("latin-1"))
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    cases = [
        (["--index", str(index_dir), "eval", str(tmp_path)], "question file"),
        (["--index", str(index_dir), "eval", str(latin1)], "question file"),
        (
            ["--config", str(latin1), "--index", str(index_dir), "ask", "What is illegal access?"],
            "config file",
        ),
        (["--index", str(blocker / "index"), "build"], str(blocker)),
    ]
    for args, message in cases:
        status, _, err = run(capsys, *args)
        assert status == EXIT_FAILURE, args
        assert message in err and "Traceback" not in err, err
        assert err.count("\n") == 1, err


def test_eval_keeps_the_required_keys_with_another_depth(capsys, index_dir):
    status, out, _ = run(capsys, "--index", str(index_dir), "eval", str(DEV_QUESTIONS), "--json", "--k", "20")
    hybrid = json.loads(out)["hybrid"]
    assert status == EXIT_OK and set(hybrid) == EVAL_KEYS | {"mrr@20"}
    assert hybrid["mrr@20"] >= hybrid["mrr@10"]


def test_invalid_utf8_on_the_command_line_is_answered(index_dir):
    """argv decodes invalid UTF-8 to lone surrogates; the question is cleaned, not a traceback."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.cli",
            "--index",
            str(index_dir),
            "ask",
            "--json",
            b"what is traffic \xff data",
        ],
        capture_output=True,
    )
    assert done.returncode == EXIT_OK, done.stderr.decode(errors="replace")
    payload = json.loads(done.stdout)
    assert payload["question"] == "what is traffic data" and payload["passages"]


@pytest.mark.parametrize(
    ("missing", "args", "said"),
    [
        ("trafilatura", ["corpus", "add", "https://example.org/piece"], "The corpus tools need trafilatura"),
        ("countryinfo", ["build"], "Building the index needs countryinfo"),
    ],
)
def test_a_serving_only_install_says_which_extra_a_command_needs(
    capsys, monkeypatch, corpus_copy, tmp_path, warm_cache, missing, args, said
):
    monkeypatch.setitem(sys.modules, missing, None)  # importing it now fails, as when not installed
    for name in [m for m in sys.modules if m.startswith("index_build.corpus_tools")]:
        monkeypatch.delitem(sys.modules, name)  # so that they import it again
    monkeypatch.setenv("TREATYBOT_CACHE", str(warm_cache.parent))
    status, _out, err = run(capsys, "--corpus", str(corpus_copy), "--index", str(tmp_path / "index"), *args)
    assert status == EXIT_FAILURE
    assert err.startswith(f"treatybot: {said}") and "pip install -e '.[build]'" in err
    assert err.count("\n") == 1


def test_a_reader_that_goes_away_ends_the_command_quietly(index_dir):
    """`treatybot compare 40 --json | head -c 10`: no traceback, the status a shell gives SIGPIPE."""
    command = [sys.executable, "-m", "bot.cli", "--index", str(index_dir), "compare", "40", "--json"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.read(10)
    process.stdout.close()
    errors = process.stderr.read().decode()
    assert process.wait() == 141 and "Traceback" not in errors and "BrokenPipe" not in errors


def test_define_suggests_each_term_once_the_closest_first(capsys, index_dir):
    assert main(["--index", str(index_dir), "define", "trafic dta"]) == EXIT_USAGE
    closest = capsys.readouterr().err.split("Closest: ", 1)[1]
    terms = [item.split(" (")[0] for item in closest.split("; ")]
    assert terms[0] == "Traffic data"
    assert len({t.casefold() for t in terms}) == len(terms)


def test_chat_ends_at_quit_or_exit_and_prints_each_question_once(capsys, monkeypatch, index_dir):
    for word in ("quit", "Exit"):
        lines = f"What is the 24/7 network?\n{word}\nWhat is a production order?\n"
        monkeypatch.setattr("sys.stdin", io.StringIO(lines))
        status, out, _ = run(capsys, "--index", str(index_dir), "chat")
        assert status == EXIT_OK
        assert (
            out.count("What is the 24/7 network?") == 1 and "Art. 41" in out
        )  # piped: the question heads its answer
        assert "production order" not in out.lower() and word not in out


def test_chat_on_a_terminal_prompts_echoes_once_and_ends_at_ctrl_d(index_dir):
    """Run in a pseudo-terminal, as a user would: a prompt, the typed question shown once (by the
    terminal) above its answer, Ctrl-D ends with status 0."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the chat, its standard streams on the terminal
        os.execvp(sys.executable, [sys.executable, "-m", "bot.cli", "--index", str(index_dir), "chat"])
    try:
        seen = _read_until(fd, CHAT_PROMPT)
        assert "Ctrl-D" in seen and "quit" in seen
        os.write(fd, b"What is the 24/7 network?\r")
        seen = _read_until(fd, CHAT_PROMPT)
        assert seen.count("What is the 24/7 network?") == 1 and "Art. 41" in seen
        os.write(fd, b"\x04")
        _read_until(fd, "")
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == EXIT_OK
    finally:
        with contextlib.suppress(ProcessLookupError, ChildProcessError):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(fd)


def _read_until(fd: int, marker: str, timeout: float = 120.0) -> str:
    """The terminal's output until `marker` has come (until the end when it is empty)."""
    seen = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
        if marker and seen.decode(errors="replace").endswith(marker):
            break
    else:
        pytest.fail(
            f"no {marker!r} within {timeout} s; the terminal showed:\n{seen.decode(errors='replace')}"
        )
    return seen.decode(errors="replace")


def test_eval_headers_are_whole_in_80_columns(index_dir, tmp_path):
    questions = tmp_path / "conversations.yaml"
    questions.write_text(
        "conversations:\n"
        "  - id: c1\n"
        "    turns:\n"
        "      - {question: 'What is a production order?', expect: [uncc:27]}\n"
        "      - {question: 'and the Budapest one?', expect: [budapest:18]}\n"
        "  - id: c2\n"
        "    turns:\n"
        "      - {question: 'What is the recipe for chocolate chip cookies?', expect: []}\n",
        encoding="utf-8",
    )
    reports = evaluate(Engine.load(index_dir), load_questions(questions), depth=10)
    console = Console(width=80, record=True, file=io.StringIO())
    console.print(render_eval(reports, 10))
    shown = console.export_text()
    table = shown.split("R@k:")[0]
    assert "…" not in table and all(len(line) <= 80 for line in shown.splitlines())
    for header in ("retriever", "turns", "R@1", "R@5", "MRR@10", "refused", "out", "in"):
        assert f" {header} " in table
    assert "first turns" in table and "follow-ups" in table
    assert "Refused out / in:" in shown.replace("\n", " ")


@pytest.mark.parametrize("command", ["ask", "chat"])
def test_k_help_says_what_is_quoted_and_what_listed(capsys, command):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    assert "how many relevant passages an answer draws on" in shown and "listed under More" in shown
    assert "the most passages to quote" not in shown
