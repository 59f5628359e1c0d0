"""Hostile inputs, round 2: poisoned corpus and config files, the corpus tools against
misbehaving loopback servers (127.0.0.1 only), secrets in logs, text that fools a terminal."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import socket
import stat
import subprocess
import sys
import threading
import time
import tracemalloc
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from rich.text import Text

from bot.cli import EXIT_FAILURE, answers, main
from bot.cli import common as cli
from bot.discord_app.feedback_db import redact, url_secrets
from bot.discord_app.logs import StructuredFormatter
from bot.discord_app.render import ANALYSIS_COLOUR, answer_replies, hit_embeds
from bot.discord_app.vote_store import open_vote_store
from bot.engine.retrieval import Source
from bot.presentation import ANALYSIS_SECTION
from bot.terminal_io import terminal_safe
from index_build.build import build_index
from index_build.corpus_tools.manifest import read_fetch_manifest
from index_build.corpus_tools.settings import tool_settings
from index_build.corpus_tools.writer import render_document
from index_build.passages import MAX_ANALYSIS_PASSAGE_CHARS, POSING_MARK, analysis_citation, analysis_passages
from index_build.pdf_import.reader import MAX_INFLATED_STREAM_BYTES
from index_build.sources import CorpusError, load_corpus
from index_contract.config import ConfigError, load_settings
from index_contract.folder import IndexUnavailable, load_index
from index_contract.safe_yaml import MAX_REPR_CHARS, YamlLimitError, load_yaml
from tests.test_corpus_tools import PARAGRAPHS, article_page

SECONDS = 2.0  # anything here that takes longer has no bound


def run(capsys, *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err[:2000]
    assert lines[0].startswith("treatybot: ")
    return lines[0]


def alias_bomb(levels: int, width: int = 9) -> str:
    lines = [f"l0: &l0 [{', '.join(['lol'] * width)}]"]
    lines += [f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * width)}]" for n in range(1, levels)]
    return "\n".join(lines)


def analysis_file(front_matter: str, body: str = "A paragraph of commentary on the treaty.") -> str:
    return f"---\n{front_matter}\n---\n\n# A title\n\n{body}\n"


GOOD_FRONT_MATTER = (
    'title: "A title"\npublisher: "Example Review"\ndate: "2025-01-02"\nurl: "https://example.org/a"'
)


# --- 2: YAML with a size and alias limit ------------------------------------------------------


@pytest.mark.parametrize("levels", [7, 9])
def test_an_alias_bomb_is_refused_quickly_in_little_memory(levels):
    tracemalloc.start()
    started = time.monotonic()
    with pytest.raises(YamlLimitError, match="aliases expand"):
        load_yaml(alias_bomb(levels))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert time.monotonic() - started < SECONDS and peak < 10_000_000


def test_yaml_keeps_ordinary_aliases_and_refuses_recursive_ones_and_huge_documents():
    assert load_yaml("a: &x [1, 2]\nb: *x\nd: 2024-01-02") == {"a": [1, 2], "b": [1, 2], "d": "2024-01-02"}
    with pytest.raises(YamlLimitError, match="recursive"):
        load_yaml("a: &x [1, *x]")
    with pytest.raises(YamlLimitError, match="longer than"):
        load_yaml("a: " + "x" * 5_000_000)


def test_an_alias_bomb_in_front_matter_is_one_short_line(capsys, corpus_copy, tmp_path):
    bomb = alias_bomb(9).replace("\n", "\n  ")
    (corpus_copy / "analysis" / "2025-01-01-bomb.md").write_text(
        analysis_file(f"{GOOD_FRONT_MATTER}\nauthor:\n  {bomb}"), encoding="utf-8"
    )
    with pytest.raises(CorpusError, match="aliases expand"):
        load_corpus(corpus_copy)
    status, out, err = run(capsys, "--corpus", str(corpus_copy), "--index", str(tmp_path / "i"), "build")
    assert status == EXIT_FAILURE and "aliases expand" in one_line(err) and out == ""


def test_a_bad_value_in_front_matter_is_shown_short(corpus_copy):
    # Seven levels pass no limit on their own when allowed: the message must still be short.
    (corpus_copy / "analysis" / "2025-01-01-long.md").write_text(
        analysis_file(GOOD_FRONT_MATTER.replace('"A title"', "[" + ", ".join(["word"] * 50_000) + "]")),
        encoding="utf-8",
    )
    with pytest.raises(CorpusError) as error:
        load_corpus(corpus_copy)
    assert (
        "must be text" in str(error.value)
        and len(str(error.value)) < len(str(corpus_copy)) + 200 + MAX_REPR_CHARS
    )


# --- 3: a link out of the corpus -----------------------------------------------------------------


def test_a_link_out_of_the_corpus_is_one_line(capsys, corpus_copy, tmp_path):
    outside = tmp_path / "elsewhere.md"
    outside.write_text(analysis_file(GOOD_FRONT_MATTER), encoding="utf-8")
    (corpus_copy / "analysis" / "2025-01-01-link.md").symlink_to(outside)
    with pytest.raises(CorpusError, match="leads outside the corpus"):
        load_corpus(corpus_copy)
    status, out, err = run(capsys, "--corpus", str(corpus_copy), "--index", str(tmp_path / "i"), "build")
    assert status == EXIT_FAILURE and "leads outside the corpus" in one_line(err) and out == ""


def test_a_link_inside_the_corpus_is_read(corpus_copy):
    first = sorted((corpus_copy / "analysis").glob("*.md"))[0]
    target = corpus_copy / "kept" / first.name
    target.parent.mkdir()
    first.rename(target)
    first.symlink_to(target)
    assert first.stem in {a.id for a in load_corpus(corpus_copy).analyses}


# --- 17: config values of the wrong type or size ------------------------------------------------


def write_config(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "treatybot.yaml"
    path.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"corpus_tools": {"timeout_seconds": 10**340}}, "must be at most"),
        ({"corpus_tools": {"max_page_bytes": 10**340}}, "must be at most"),
        ({"corpus_tools": {1: 2, "x": 3}}, "unknown setting"),
        ({"discord": {"workers": 10**340}}, "at most"),
        ({"discord": {"reload_check_seconds": 10**340}}, "at most"),
        ({"discord": {1: 2, "x": 3}}, "Unknown setting"),
        ({"discord": {10**300: None}}, "Unknown setting"),
        ({"corpus_tools": {10**300: None}}, "unknown setting"),
        ({"model": ["x"]}, "'model' must be text"),
        ({"corpus": {"a": 1}}, "'corpus' must be text"),
        ({"index": 3}, "'index' must be text"),
        ({"cache": [1]}, "'cache' must be text"),
    ],
)
def test_config_values_of_the_wrong_type_or_size_are_one_line(capsys, tmp_path, data, message):
    config = write_config(tmp_path, data)
    status, _, err = run(capsys, "--config", str(config), "serve", "--check")
    if status != EXIT_FAILURE or message not in err:  # the section is read by the corpus tools only
        status, _, err = run(capsys, "--config", str(config), "corpus", "add", "https://example.org/x")
    assert status == EXIT_FAILURE and message in one_line(err) and len(err) < 600


def test_a_huge_number_in_the_corpus_tools_settings_is_a_config_error(tmp_path):
    settings = load_settings(write_config(tmp_path, {"corpus_tools": {"workers": 10**340}}))
    with pytest.raises(ConfigError, match="at most"):
        tool_settings(settings)


# --- a loopback server that misbehaves ----------------------------------------------------------

DRIP_SECONDS = 0.05  # between two bytes of a dripping answer
FETCH_TIMEOUT = 1.0


@dataclass
class Misbehaving:
    base: str
    pages: dict[str, bytes] = field(default_factory=dict)  # whole answers (status line and all)


@pytest.fixture
def misbehaving():
    """A raw HTTP server on 127.0.0.1: /drip-headers and /drip-body send a byte at a time for
    ever; other paths answer what `pages` holds."""
    stop = threading.Event()
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    state = Misbehaving(f"http://127.0.0.1:{listener.getsockname()[1]}")

    def drip(conn: socket.socket, head: bytes) -> None:
        conn.sendall(head)
        while not stop.wait(DRIP_SECONDS):
            conn.sendall(b"x")

    def answer(conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):
            path = conn.recv(65536).split(b" ", 2)[1].decode()
            if path == "/drip-headers":
                drip(conn, b"HTTP/1.0 200 OK\r\nX-Slow: ")
            elif path == "/drip-body":
                drip(conn, b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<p>")
            else:
                conn.sendall(state.pages.get(path, b"HTTP/1.0 404 Not Found\r\n\r\n"))

    def serve() -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                conn, _ = listener.accept()
                threading.Thread(target=answer, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield state
    stop.set()
    thread.join(5)
    listener.close()


def redirect(location: str) -> bytes:
    return f"HTTP/1.0 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n".encode()


def html_page(text: str) -> bytes:
    body = text.encode("utf-8")
    head = f"HTTP/1.0 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {len(body)}\r\n\r\n"
    return head.encode() + body


def tool_args(tmp_path: Path, corpus: Path) -> list[str]:
    config = write_config(tmp_path, {"corpus_tools": {"timeout_seconds": FETCH_TIMEOUT}})
    return ["--config", str(config), "--corpus", str(corpus)]


# --- 1: a whole-request deadline ----------------------------------------------------------------


@pytest.mark.parametrize("path", ["/drip-headers", "/drip-body"])
def test_a_server_that_drips_cannot_hold_a_fetch_past_its_deadline(
    capsys, corpus_copy, tmp_path, misbehaving, path
):
    before = sorted((corpus_copy / "analysis").iterdir())
    started = time.monotonic()
    status, out, err = run(
        capsys, *tool_args(tmp_path, corpus_copy), "corpus", "add", misbehaving.base + path
    )
    elapsed = time.monotonic() - started
    assert status == EXIT_FAILURE and f"did not answer within {FETCH_TIMEOUT:g} s" in one_line(err)
    assert elapsed < FETCH_TIMEOUT + 1.0, elapsed
    assert sorted((corpus_copy / "analysis").iterdir()) == before and out == ""


# --- 9, 18: redirects ---------------------------------------------------------------------------


def test_a_redirect_to_ftp_is_refused(capsys, corpus_copy, tmp_path, misbehaving):
    misbehaving.pages["/ftp"] = redirect("ftp://127.0.0.1:1/page.html")
    status, _, err = run(
        capsys, *tool_args(tmp_path, corpus_copy), "corpus", "add", misbehaving.base + "/ftp"
    )
    assert status == EXIT_FAILURE and "redirects to a non-http(s) address" in one_line(err)


def test_a_redirect_loop_is_one_line(capsys, corpus_copy, tmp_path, misbehaving):
    misbehaving.pages["/loop"] = redirect(misbehaving.base + "/loop")
    status, _, err = run(
        capsys, *tool_args(tmp_path, corpus_copy), "corpus", "add", misbehaving.base + "/loop"
    )
    assert status == EXIT_FAILURE and "redirects too many times or in a loop" in one_line(err)


# --- 16: a saved page that never ends -----------------------------------------------------------


@pytest.mark.parametrize("device", ["/dev/zero", "fifo"])
def test_a_saved_page_that_is_not_a_file_is_refused(capsys, corpus_copy, tmp_path, device):
    if device == "fifo":
        device = str(tmp_path / "fifo")
        os.mkfifo(device)
    status, _, err = run(
        capsys, *tool_args(tmp_path, corpus_copy), "corpus", "add", "https://example.org/a", "--html", device
    )
    assert status == EXIT_FAILURE and "is not a regular file" in one_line(err)


# --- 18: the page's own characters, not trafilatura's Markdown escapes ----------------------------


def test_added_text_has_the_pages_characters(capsys, corpus_copy, tmp_path, misbehaving):
    paragraphs = [
        *PARAGRAPHS,
        "3. Under article 24 [safeguards] States apply *their own* law_and_order rules, and so on.",
    ]
    misbehaving.pages["/page"] = html_page(article_page("Safeguards in practice", paragraphs))
    status, _, err = run(
        capsys, *tool_args(tmp_path, corpus_copy), "corpus", "add", misbehaving.base + "/page"
    )
    assert status == 0, err
    (written,) = [p for p in (corpus_copy / "analysis").glob("*safeguards-in-practice*.md")]
    text = written.read_text(encoding="utf-8")
    assert paragraphs[-1] in text and "\\" not in text


# --- 4: a passage is never longer than the limit ------------------------------------------------


@pytest.mark.parametrize(
    "paragraph",
    [
        " ".join(["surveillance"] * 30_000),  # words, no sentence break
        "x" * 5_000,  # one "word" longer than a passage
        "Short sentence. " + "word " * 2_000 + "End. Another sentence follows here.",
    ],
    ids=["words", "one-word", "mixed"],
)
def test_a_paragraph_without_sentence_breaks_is_cut_into_passages(corpus_copy, paragraph):
    path = corpus_copy / "analysis" / "2025-01-01-long.md"
    path.write_text(analysis_file(GOOD_FRONT_MATTER, paragraph), encoding="utf-8")
    corpus = load_corpus(corpus_copy)
    (source,) = [a for a in corpus.analyses if a.path == path.resolve()]
    passages = list(analysis_passages(source, corpus))
    text = path.read_text(encoding="utf-8")
    assert len(passages) > 1
    assert all(0 < len(p.quote) <= MAX_ANALYSIS_PASSAGE_CHARS for p in passages)
    assert all(text[p.start : p.end] == p.quote for p in passages)
    assert "".join(p.quote for p in passages).replace(" ", "") == paragraph.replace(" ", "")


# --- 5, 6: database passwords and URLs ----------------------------------------------------------

SECRET = "hunter2-Secret"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://votes:{secret}@127.0.0.1:{port}/votes",
        "postgresql://votes@127.0.0.1:{port}/votes?password={secret}",
        "postgres://votes@127.0.0.1:{port}/votes?sslmode=disable&password={secret}",
        "postgresql://votes:{secret}@127.0.0.1:{port},127.0.0.1:{port}/votes",
    ],
    ids=["in-netloc", "in-query", "query-second", "multi-host"],
)
def test_feedback_db_never_prints_the_password(capsys, url):
    url = url.format(secret=SECRET, port=closed_port())
    assert SECRET not in redact(url, url) and SECRET not in open_vote_store(url).where
    status, out, err = run(capsys, "feedback", "--db", url)
    assert status == EXIT_FAILURE and "Feedback database" in one_line(err)
    assert SECRET not in out + err and "Traceback" not in err


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (f"postgresql://votes:{SECRET}%zz@127.0.0.1/votes", "Not a usable PostgreSQL URL"),
        (f"postgresql://votes:{SECRET}@127.0.0.1:abc/votes", "is not a number"),
        (f"postgresql://votes:{SECRET}@127.0.0.1:5432,127.0.0.1:x/votes", "is not a number"),
    ],
    ids=["bad-escape", "port-not-a-number", "second-port-not-a-number"],
)
def test_an_unusable_database_url_is_one_line_in_serve_check_and_feedback(capsys, tmp_path, url, message):
    config = write_config(tmp_path, {"discord": {"feedback_db": url}})
    for command in (["serve", "--check"], ["feedback"]):
        status, out, err = run(capsys, "--config", str(config), *command)
        assert status == EXIT_FAILURE and message in one_line(err) and SECRET not in out + err
    status, out, err = run(capsys, "feedback", "--db", url)
    assert status == EXIT_FAILURE and message in one_line(err) and SECRET not in out + err


def test_log_lines_and_tracebacks_never_hold_the_password():
    url = f"postgresql://votes@db.example/votes?password={SECRET}%22x"
    stream = io.StringIO()
    for json_lines in (True, False):
        formatter = StructuredFormatter(json_lines, secrets=url_secrets(url))
        try:
            raise RuntimeError(f'could not connect with {url} ({SECRET}"x)')
        except RuntimeError:
            record = logging.LogRecord(
                "t", logging.ERROR, __file__, 1, "vote failed: %s", (url,), sys.exc_info()
            )
        stream.write(formatter.format(record))
    assert "Traceback" in stream.getvalue() and SECRET not in stream.getvalue()


# --- 7: nothing printed can control the terminal -------------------------------------------------

ESCAPES = (
    "\x1b]0;pwned\x07\x1b[2J\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\\x9b31m\x9d0;t\x9c\x90dcs\x9c"
)


def test_terminal_safe_removes_escape_sequences_and_controls_whole():
    assert terminal_safe(f"a{ESCAPES}b\n\tc\x00\x7f\x85") == "alinkb\n\tc"


def test_the_consoles_print_corpus_text_without_its_escapes(capsys):
    cli.out.print(Text(f"Title {ESCAPES} end", style="bold"))
    cli.err.print(f"Warning {ESCAPES}", markup=False)
    captured = capsys.readouterr()
    assert "Title link end" in captured.out and "Warning link" in captured.err
    assert not any(ch in captured.out + captured.err for ch in "\x1b\x07\x9b\x9d\x9c\x90")


def test_corpus_add_prints_a_title_without_its_escapes(capsys, corpus_copy, tmp_path, misbehaving):
    misbehaving.pages["/page"] = html_page(article_page("Plain title", PARAGRAPHS))
    status, out, err = run(
        capsys,
        *tool_args(tmp_path, corpus_copy),
        "corpus",
        "add",
        misbehaving.base + "/page",
        "--title",
        f"T{ESCAPES}",
    )
    assert status == 0, err
    assert "Tlink" in out and not any(ch in out + err for ch in "\x1b\x07\x9b\x9d")


# --- 10: invisible characters do not change the provision asked for ---------------------------------


@pytest.mark.parametrize(
    "question",
    ["Article 4\u200b1", "Article\u200b 41", "Arti\u00adcle 41", "Article \ufeff41", "Article 4\u20601"],
)
def test_invisible_characters_do_not_change_the_provision(engine, question):
    assert engine.ask(question).hits[0].passage.citation.startswith("UNCC Art. 41")


# --- 11: invalid bytes on standard input --------------------------------------------------------------


class BinaryStdin(io.TextIOWrapper):
    """Standard input under a strict UTF-8 locale, holding the bytes given."""

    def __init__(self, data: bytes) -> None:
        super().__init__(io.BytesIO(data), encoding="utf-8", errors="strict")


def test_chat_answers_every_line_around_an_invalid_byte(capsys, monkeypatch, engine):
    monkeypatch.setattr(answers, "open_engine", lambda settings: engine)
    monkeypatch.setattr(
        "sys.stdin", BinaryStdin(b"What is Article 41?\nArticle 25 \xff\xfe?\nWhat is Article 28?\n")
    )
    status = main(["chat", "--json", "--k", "1"])
    lines = capsys.readouterr().out.splitlines()
    assert status == 0 and len(lines) == 3
    citations = [json.loads(line)["passages"][0]["citation"] for line in lines]
    assert [c.split("(")[0] for c in citations] == ["UNCC Art. 41", "UNCC Art. 25", "UNCC Art. 28"]


# --- 12, 13: corpus fetch's manifest and its temporary folder -------------------------------------


def fetch_manifest(tmp_path: Path, pdf_file: str, entries: list[dict] | None = None) -> Path:
    path = tmp_path / "commentary.yaml"
    official = {"pdf_file": pdf_file, "from_pdf": ["uncc"], "not_fetched": {}}
    path.write_text(
        yaml.safe_dump({"official_texts": official, "commentary": entries or []}), encoding="utf-8"
    )
    return path


def fetch_args(tmp_path: Path, manifest: Path) -> list[str]:
    tools = {"timeout_seconds": FETCH_TIMEOUT, "commentary_manifest": str(manifest)}
    tools["pdf_url"] = f"http://127.0.0.1:{closed_port()}/pdf"
    return ["--config", str(write_config(tmp_path, {"corpus_tools": tools}))]


@pytest.mark.parametrize(
    "pdf_file", ["/tmp/evil.pdf", "../evil.pdf", "sources/../../evil.pdf", "", "a\\..\\b.pdf"]
)
def test_fetch_refuses_a_pdf_path_outside_the_target(capsys, tmp_path, pdf_file):
    target = tmp_path / "out" / "corpus"
    status, _, err = run(
        capsys,
        *fetch_args(tmp_path, fetch_manifest(tmp_path, pdf_file)),
        "corpus",
        "fetch",
        "--to",
        str(target),
    )
    assert status == EXIT_FAILURE and "pdf_file must be a relative path inside the corpus" in one_line(err)
    assert not (tmp_path / "out").exists() and not (tmp_path / "evil.pdf").exists()


def test_fetch_manifest_fields_are_one_line_of_text(tmp_path):
    entry = {"file": "2025-01-01-x.md", "url": "https://example.org/x", "date": "2025-01-01",
             "title": "Title\n\nInjected body text\x1b[2J", "publisher": "Pub\nlisher",
             "author": "A\u0085B"}  # fmt: skip
    (read,) = read_fetch_manifest(fetch_manifest(tmp_path, "sources/x.pdf", [entry])).commentary
    assert (read.title, read.publisher, read.author) == ("Title Injected body text", "Pub lisher", "AB")
    document = render_document({"title": read.title}, read.title, "Body.", False)
    assert document.count("\n# ") == 1 and "\nInjected" not in document


def test_fetch_removes_the_temporary_folder_a_killed_fetch_left(capsys, tmp_path):
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    target = tmp_path / "out" / "corpus"
    abandoned = tmp_path / "out" / f".corpus.fetch-{int(dead.stdout)}-abc123"
    (abandoned / "sources").mkdir(parents=True)
    (abandoned / "sources" / "half.pdf").write_bytes(b"%PDF-1.4 half")
    running = tmp_path / "out" / f".corpus.fetch-{os.getpid()}-def456"  # a fetch still under way
    running.mkdir()
    manifest = fetch_manifest(tmp_path, "sources/x.pdf")
    status, _, err = run(capsys, *fetch_args(tmp_path, manifest), "corpus", "fetch", "--to", str(target))
    assert status == EXIT_FAILURE and "Nothing was written" in one_line(err)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [running.name]


# --- 14, 15: import-pdf's output and hostile PDFs -------------------------------------------------


def test_import_pdf_may_not_replace_another_official_text(capsys, corpus_copy, pdf_path):
    uncc = corpus_copy / "treaty" / "uncc.md"
    before = uncc.read_bytes()
    status, out, err = run(
        capsys, "--corpus", str(corpus_copy), "corpus", "import-pdf", str(pdf_path),
        "--source", "a-res-79-243-resolution", "--output", str(uncc),
    )  # fmt: skip
    assert status == EXIT_FAILURE and "is the corpus's text of 'uncc'" in one_line(err) and out == ""
    assert uncc.read_bytes() == before


def test_import_pdf_does_not_write_into_a_fifo(capsys, corpus_copy, pdf_path, tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    status, _, err = run(
        capsys, "--corpus", str(corpus_copy), "corpus", "import-pdf", str(pdf_path), "--source", "uncc",
        "--output", str(fifo),
    )  # fmt: skip
    assert (
        status == EXIT_FAILURE
        and "is not a regular file" in one_line(err)
        and stat.S_ISFIFO(fifo.stat().st_mode)
    )


def tiny_pdf(mediabox: bytes, content: bytes, compressed: bool = False) -> bytes:
    """A one-page PDF with the given /MediaBox and page content."""
    extra = b"/Filter /FlateDecode " if compressed else b""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox " + mediabox + b" /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< "
        + extra
        + b"/Length "
        + str(len(content)).encode()
        + b" >>\nstream\n"
        + content
        + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    return out + f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()


def deflated_zeros(size: int) -> bytes:
    packer, step = zlib.compressobj(9), b"\0" * 1024 * 1024
    return b"".join(packer.compress(step) for _ in range(size // len(step))) + packer.flush()


TEXT = b"BT /F1 12 Tf 72 712 Td (Article 1. Statement of purpose) Tj ET"


@pytest.mark.parametrize(
    ("pdf", "message"),
    [
        (lambda: tiny_pdf(b"[0 0]", TEXT), "damaged or not a readable PDF"),
        (lambda: tiny_pdf(b"(x)", TEXT), "damaged or not a readable PDF"),
        (lambda: tiny_pdf(b"[0 0 a b]", TEXT), "damaged or not a readable PDF"),
        (lambda: tiny_pdf(b"[0 0 612 792]", deflated_zeros(MAX_INFLATED_STREAM_BYTES + 2**20), True), "bomb"),
    ],
    ids=["mediabox-short", "mediabox-text", "mediabox-words", "compression-bomb"],
)
def test_a_hostile_pdf_is_one_line_in_bounded_memory(capsys, corpus_copy, tmp_path, pdf, message):
    path = tmp_path / "hostile.pdf"
    path.write_bytes(pdf())
    before = files_of(corpus_copy)
    tracemalloc.start()
    status, out, err = run(
        capsys, "--corpus", str(corpus_copy), "corpus", "import-pdf", str(path), "--source", "uncc"
    )
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert status == EXIT_FAILURE and message in one_line(err) and out == ""
    assert peak < 50_000_000 and files_of(corpus_copy) == before


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


# --- 8: an index file changed in place is not served ------------------------------------------------


@pytest.fixture
def own_index(corpus_copy, tmp_path, warm_cache, settings):
    index = tmp_path / "index"
    build_index(corpus_copy, index, settings.model, warm_cache)
    return index


def flip_a_word(path: Path) -> None:
    text = path.read_text("utf-8")
    path.write_text(text.replace("Convention", "Konvention", 1), "utf-8")  # the same size


def flip_bytes(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 4] = bytes(
        255 - b for b in data[len(data) // 2 : len(data) // 2 + 4]
    )
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(("name", "edit"), [("passages.jsonl", flip_a_word), ("dense.faiss", flip_bytes)])
def test_an_index_file_edited_in_place_is_not_served(capsys, own_index, name, edit):
    capsys.readouterr()  # the build's progress
    size = (own_index / name).stat().st_size
    edit(own_index / name)
    assert (own_index / name).stat().st_size == size
    with pytest.raises(IndexUnavailable, match=f"{name} does not match its hash"):
        load_index(own_index)
    status, out, err = run(capsys, "--index", str(own_index), "ask", "What is Article 41?")
    assert status == EXIT_FAILURE and f"{name} does not match its hash" in one_line(err) and out == ""


# --- commentary never poses as treaty text ----------------------------------------------------------


@pytest.mark.parametrize(
    ("publisher", "title", "posing"),
    [
        ("United Nations", "UNCC Art. 28 — Search and seizure of stored electronic data", True),
        ("UN", "A note", True),
        ("The United Nations Treaty Collection", "Status", True),
        ("Example Rights Review", "Article 28: search and seizure", True),
        ("Example Rights Review", "Convention against Cybercrime, art. 28", True),
        ("ARTICLE 19", "ARTICLE 19 and Human Rights Watch's Comments on the Draft", False),
        (
            "Office of the United Nations High Commissioner for Human Rights (OHCHR)",
            "Human rights and the draft",
            False,
        ),
    ],
)
def test_commentary_that_poses_as_the_treaty_is_marked_in_its_citation(corpus_copy, publisher, title, posing):
    front = GOOD_FRONT_MATTER.replace('"A title"', json.dumps(title)).replace(
        '"Example Review"', json.dumps(publisher)
    )
    path = corpus_copy / "analysis" / "2025-01-01-posing.md"
    path.write_text(analysis_file(front), encoding="utf-8")
    corpus = load_corpus(corpus_copy)
    (source,) = [a for a in corpus.analyses if a.path == path.resolve()]
    citations = {p.citation for p in analysis_passages(source, corpus)}
    assert citations == {analysis_citation(source)}
    assert analysis_citation(source).startswith(f"{POSING_MARK}: ") is posing


def test_the_real_commentary_keeps_its_citations(corpus):
    assert not any(analysis_citation(a).startswith(POSING_MARK) for a in corpus.analyses)


def test_every_commentary_embed_is_labelled(engine):
    answer = engine.ask("Why do human rights groups oppose the treaty?", Source("analysis"), 3)
    assert len(answer.analysis_hits) >= 2
    embeds = [embed for hit in answer.analysis_hits for embed in hit_embeds(hit, answer.final_text_date)]
    assert embeds and all(embed.author.name == ANALYSIS_SECTION for embed in embeds)
    replies = answer_replies(answer)
    analysis = [e for reply in replies for e in reply.embeds if e.colour == ANALYSIS_COLOUR]
    assert len(analysis) >= 2 and all(e.author.name and ANALYSIS_SECTION in e.author.name for e in analysis)
