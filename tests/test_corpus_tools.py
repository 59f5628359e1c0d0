"""`treatybot corpus add | refresh | import-pdf | fetch`, run through the CLI against pages served
by a loopback HTTP server (127.0.0.1 only), the real corpus mirror (copied) and the official PDF."""

from __future__ import annotations

import contextlib
import html
import json
import re
import shutil
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from bot.cli import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, main
from index_build.corpus_tools.errors import CorpusToolError
from index_build.corpus_tools.import_pdf import CheckFailed, import_pdf
from index_build.corpus_tools.text import normalise, stored_text
from index_build.markdown import split_front_matter
from index_build.pdf_import import check_converted
from index_build.sources import read_analysis_source
from index_contract.folder import load_index
from tests.conftest import PDF_NAME

TIMEOUT_SECONDS = 1
MAX_PAGE_BYTES = 200_000


# --- a loopback web server ------------------------------------------------------------------


@dataclass
class Route:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    stall: bool = False  # answer only when the test ends (longer than any timeout)
    send_length: bool = True


@dataclass
class Server:
    base: str
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)  # (path, User-Agent)
    release: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str) -> str:
        return self.base + path

    def page(self, path: str, body: str | bytes, content_type: str = "text/html; charset=utf-8", **kw) -> str:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = Route(data, content_type, **kw)
        return self.url(path)


@pytest.fixture
def server():
    state = Server("")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def do_GET(self):
            path = self.path.split("?")[0].split("#")[0]
            state.requests.append((path, self.headers.get("User-Agent", "")))
            route = state.routes.get(path) or Route(b"<h1>Not found</h1>", status=404)
            if route.stall:
                state.release.wait(30)
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            if route.send_length:
                self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            with contextlib.suppress(OSError):  # the client gave up (a size limit): fine
                self.wfile.write(route.body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield state
    state.release.set()
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def closed_port() -> str:
    """An address on this machine where nothing listens: connecting is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def article_page(
    title: str,
    paragraphs: list[str],
    *,
    date: str | None = "2025-03-04",
    author: str = "Ada Example",
    site: str = "Example Rights Review",
    charset: str = "utf-8",
) -> str:
    meta = [f'<meta charset="{charset}">', f'<meta property="og:title" content="{html.escape(title)}">']
    if author:
        meta.append(f'<meta name="author" content="{html.escape(author)}">')
    if site:
        meta.append(f'<meta property="og:site_name" content="{html.escape(site)}">')
    if date:
        meta.append(f'<meta property="article:published_time" content="{date}T09:00:00+00:00">')
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (
        f"<!doctype html><html><head>{''.join(meta)}<title>{html.escape(title)} | {site}</title></head>"
        f'<body><nav><a href="/">Home</a> <a href="/about">About us</a> <a href="/donate">Donate</a></nav>'
        f"<article><h1>{html.escape(title)}</h1>\n{body}</article>"
        "<footer>Copyright notice and links to the privacy policy.</footer></body></html>"
    )


PARAGRAPHS = [
    "The Convention's chapter on procedural powers lets a State order the production of stored "
    "subscriber information from a provider in its territory, and the safeguards that bind those "
    "powers are left largely to domestic law.",
    "Article 24 asks for conditions and safeguards that respect human rights, including the principle "
    "of proportionality, yet it does not say which independent authority must approve an order.",
    "Civil society groups argued throughout the negotiations that judicial review should be required "
    "before any real-time collection of traffic data or interception of content data.",
]


# --- helpers --------------------------------------------------------------------------------


def run(capsys, *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def config(tmp_path: Path, **tools) -> str:
    settings = {"timeout_seconds": TIMEOUT_SECONDS, "max_page_bytes": MAX_PAGE_BYTES, **tools}
    path = tmp_path / "treatybot.yaml"
    path.write_text(yaml.safe_dump({"corpus_tools": settings}), encoding="utf-8")
    return str(path)


def corpus_args(tmp_path: Path, corpus: Path, **tools) -> list[str]:
    return ["--config", config(tmp_path, **tools), "--corpus", str(corpus)]


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("treatybot: ")
    return lines[0]


def files(folder: Path) -> dict[str, bytes]:
    paths = sorted(p for p in folder.rglob("*") if p.is_file())
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in paths}


def body_words(text: str) -> list[str]:
    _, start = split_front_matter(text)
    return text[start:].split()


# --- corpus add -----------------------------------------------------------------------------


def test_add_writes_a_page_with_the_front_matter_the_build_reads(capsys, corpus_copy, tmp_path, server):
    url = server.page(
        "/news/2025/03/procedural-powers", article_page("Procedural powers, unchecked", PARAGRAPHS)
    )
    status, out, err = run(capsys, *corpus_args(tmp_path, corpus_copy), "corpus", "add", url)
    assert status == EXIT_OK, err
    path = corpus_copy / "analysis" / "2025-03-04-example-rights-review-procedural-powers-unchecked.md"
    assert f"Wrote analysis/{path.name}" in out
    assert "Procedural powers, unchecked" in out and "Example Rights Review" in out and "2025-03-04" in out
    words = sum(len(p.split()) for p in PARAGRAPHS)
    assert f"words:     {words}" in out
    source = read_analysis_source(path)
    assert (source.title, source.publisher, source.author) == (
        "Procedural powers, unchecked",
        "Example Rights Review",
        "Ada Example",
    )
    assert source.date.isoformat() == "2025-03-04" and source.url == url and source.excerpt is False
    text = path.read_text(encoding="utf-8")
    assert stored_text(text).split("\n\n") == PARAGRAPHS  # verbatim, one Markdown paragraph each
    assert "Home" not in text and "Copyright" not in text  # the page's chrome is left out
    assert server.requests[0][1].startswith("treatybot/")  # a clear User-Agent


def test_a_page_without_a_date_asks_for_one(capsys, corpus_copy, tmp_path, server):
    url = server.page("/undated", article_page("An undated note", PARAGRAPHS, date=None))
    before = files(corpus_copy / "analysis")
    status, _, err = run(capsys, *corpus_args(tmp_path, corpus_copy), "corpus", "add", url)
    assert status == EXIT_USAGE
    assert "No publication date found" in one_line(err) and "--date YYYY-MM-DD" in err
    assert files(corpus_copy / "analysis") == before
    status, _, err = run(
        capsys, *corpus_args(tmp_path, corpus_copy), "corpus", "add", url, "--date", "2025-13-01"
    )
    assert status == EXIT_USAGE and "--date must be a date" in one_line(err)
    status, _, err = run(
        capsys, *corpus_args(tmp_path, corpus_copy), "corpus", "add", url, "--date", "2025-01-02",
        "--publisher", "Council of Examples (CEX)", "--title", "A note, dated by hand",
    )  # fmt: skip
    assert status == EXIT_OK, err
    written = read_analysis_source(corpus_copy / "analysis" / "2025-01-02-cex-a-note-dated-by-hand.md")
    assert written.date.isoformat() == "2025-01-02" and written.publisher == "Council of Examples (CEX)"


def test_duplicates_are_refused_by_address_and_by_text(capsys, corpus_copy, tmp_path, server):
    args = corpus_args(tmp_path, corpus_copy)
    url = server.page("/original", article_page("The original piece", PARAGRAPHS))
    assert run(capsys, *args, "corpus", "add", url)[0] == EXIT_OK
    before = files(corpus_copy / "analysis")
    served = len(server.requests)
    # The same address, written differently: trailing slash, tracking parameter, fragment.
    status, _, err = run(capsys, *args, "corpus", "add", url + "/?utm_source=feed#comments")
    assert status == EXIT_FAILURE and "has the same address" in one_line(err)
    assert len(server.requests) == served  # refused before fetching anything
    # The same text under another address (another title, other quotes and spacing).
    copy = [p.replace("'", "’") + "  " for p in PARAGRAPHS]
    other = server.page(
        "/syndicated/copy", article_page("Reposted: the original piece", copy, site="Aggregator")
    )
    status, _, err = run(capsys, *args, "corpus", "add", other)
    assert status == EXIT_FAILURE and "has the same text under another address" in one_line(err)
    # A full version of a piece the mirror holds only the opening of.
    excerpt = (
        corpus_copy / "analysis" / "2024-07-30-eff-why-you-should-hate-the-proposed-un-cybercrime-treaty.md"
    )
    opening = stored_text(excerpt.read_text(encoding="utf-8")).split("\n\n")
    full = [*opening[:-1], opening[-1] + " enormous expansion of surveillance powers.", "More of the piece."]
    longer = server.page("/hate-treaty-full", article_page("Why You Should Hate It", full, site="EFF"))
    status, _, err = run(capsys, *args, "corpus", "add", longer)
    assert status == EXIT_FAILURE and excerpt.name in one_line(err)
    assert files(corpus_copy / "analysis") == before


@pytest.mark.parametrize(
    ("route", "message"),
    [
        (None, "answered HTTP 404"),
        (Route(b"", stall=True), f"did not answer within {TIMEOUT_SECONDS} s"),
        (Route(b"<p>" + b"x" * (MAX_PAGE_BYTES + 1) + b"</p>"), "larger than the limit of 200,000 bytes"),
        (Route(b"<p>" + b"x" * (MAX_PAGE_BYTES + 1) + b"</p>", send_length=False), "larger than the limit"),
        (Route(b"%PDF-1.4 ...", "application/pdf"), "is application/pdf, not an HTML page"),
        (Route(b'{"title": "x"}', "application/json"), "is application/json, not an HTML page"),
        (Route(b"<html><body><nav>Home</nav></body></html>"), "No article text found"),
    ],
    ids=["404", "timeout", "too-large", "too-large-unannounced", "pdf", "json", "no-text"],
)
def test_add_failures_are_one_line_and_write_nothing(capsys, corpus_copy, tmp_path, server, route, message):
    if route:
        server.routes["/page"] = route
    before = files(corpus_copy / "analysis")
    status, out, err = run(capsys, *corpus_args(tmp_path, corpus_copy), "corpus", "add", server.url("/page"))
    assert status == EXIT_FAILURE and message in one_line(err) and out == ""
    assert files(corpus_copy / "analysis") == before


FRENCH = (
    "Le traité de l’ONU: « une coopération à sens unique »",
    [
        "Les États parties coopèrent « dans la mesure la plus large possible » : c’est là que le bât blesse, "
        "déclare Zoë Müller, car la réciprocité n’est pas exigée.",
        "Selon l’article 40, l’entraide peut être refusée, mais le texte reste muet sur les garanties — "
        "une lacune que l’Assemblée générale n’a pas comblée.",
    ],
)
# Central European letters: read as windows-1252 (the fallback), they would come out wrong.
CZECH_POLISH = (
    "Úmluva a soukromí: Łódź, Brno a žluťoučký kůň",
    [
        "Státy, které jsou smluvními stranami, spolupracují v co nejširší míře; Řecko a Česko žádají "
        "přezkum soudem, než bude povoleno sledování provozních údajů v reálném čase.",
        "W Łodzi mówiono, że państwa-strony muszą chronić prywatność, a żądania danych o abonentach "
        "powinny być zgodne z zasadą proporcjonalności i kontrolą sądową.",
    ],
)


@pytest.mark.parametrize(
    ("charset", "in_header", "encoding", "text"),
    [
        ("windows-1252", True, "cp1252", FRENCH),
        # ISO-8859-1 has no curly quotes: a page labelled so is windows-1252 (as browsers read it).
        ("ISO-8859-1", False, "cp1252", FRENCH),
        ("windows-1250", True, "cp1250", CZECH_POLISH),
        ("iso-8859-2", False, "iso-8859-2", CZECH_POLISH),
    ],
    ids=["windows-1252-header", "iso-8859-1-meta", "windows-1250-header", "iso-8859-2-meta"],
)
def test_a_page_in_a_legacy_encoding_comes_out_right(
    capsys, corpus_copy, tmp_path, server, charset, in_header, encoding, text
):
    title, paragraphs = text
    page = article_page(title, paragraphs, site="Revue Numérique", author="Zoë Müller", charset=charset)
    if in_header:  # declared in the header only
        page = page.replace(f'<meta charset="{charset}">', "")
    content_type = f"text/html; charset={charset}" if in_header else "text/html"
    url = server.page("/legacy", page.encode(encoding), content_type)
    before = set(files(corpus_copy / "analysis"))
    status, _, err = run(capsys, *corpus_args(tmp_path, corpus_copy), "corpus", "add", url)
    assert status == EXIT_OK, err
    (name,) = set(files(corpus_copy / "analysis")) - before
    source = read_analysis_source(corpus_copy / "analysis" / name)
    assert (source.title, source.author, source.publisher) == (title, "Zoë Müller", "Revue Numérique")
    assert stored_text(source.path.read_text(encoding="utf-8")).split("\n\n") == paragraphs
    if text is FRENCH:
        assert name == "2025-03-04-revue-numerique-le-traite-de-l-onu-une-cooperation-a-sens-unique.md"


def test_add_from_a_saved_copy_and_bad_input(capsys, corpus_copy, tmp_path):
    args = corpus_args(tmp_path, corpus_copy)
    saved = tmp_path / "saved.html"
    teaser = [*PARAGRAPHS[:2], "Subscribe to continue reading."]
    saved.write_text(article_page("A saved page", teaser, site="The Example Times"), encoding="utf-8")
    url = "https://news.example.org/2025/03/saved-page"
    status, out, err = run(capsys, *args, "corpus", "add", url, "--html", str(saved))
    assert status == EXIT_OK, err
    assert "an excerpt" in out
    path = corpus_copy / "analysis" / "2025-03-04-the-example-times-a-saved-page.md"
    source = read_analysis_source(path)
    assert source.url == url and source.excerpt is True
    assert stored_text(path.read_text(encoding="utf-8")).split("\n\n") == PARAGRAPHS[:2]  # teaser dropped
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(b"%PDF-1.7\n...")
    for argv, message in [
        (["ftp://example.org/x"], "Not an http(s) web address"),
        (["not a url"], "Not an http(s) web address"),
        (["http://127.0.0.1:99999/x"], "Not a usable web address"),
        ([url + "/other", "--html", str(tmp_path / "absent.html")], "File not found"),
        ([url + "/other", "--html", str(pdf)], "is not an HTML page"),
        ([url + "/other", "--html", str(tmp_path)], "is a folder"),
    ]:
        status, _, err = run(capsys, *args, "corpus", "add", *argv)
        assert status == EXIT_FAILURE and message in one_line(err), argv
    status, _, err = run(capsys, "--corpus", str(tmp_path / "nowhere"), "corpus", "add", url)
    assert status == EXIT_FAILURE and "No corpus at" in one_line(err) and "corpus fetch --to" in err


def test_bad_tool_settings_are_one_line(capsys, corpus_copy, tmp_path):
    status, _, err = run(
        capsys,
        *corpus_args(tmp_path, corpus_copy, timeout_seconds=-1),
        "corpus",
        "add",
        "https://x.example/a",
    )
    assert status == EXIT_FAILURE and "timeout_seconds must be a positive number" in one_line(err)
    status, _, err = run(capsys, *corpus_args(tmp_path, corpus_copy, pdf_adress="x"), "corpus", "fetch")
    assert status == EXIT_FAILURE and "unknown setting 'pdf_adress'" in one_line(err)


# --- corpus refresh -------------------------------------------------------------------------

EXCERPTS = {
    "same": "2024-07-30-eff-why-you-should-hate-the-proposed-un-cybercrime-treaty.md",
    "other": "2023-08-23-the-record-global-cybercrime-treaty-could-be-disastrous-for-human-rights.md",
    "gone": "2024-01-23-hrw-un-draft-cybercrime-treaty-threatens-rights.md",
}


@pytest.fixture
def excerpt_corpus(corpus_copy) -> Path:
    """The corpus copy with only three of its excerpts left; the tests point their urls here."""
    for path in (corpus_copy / "analysis").glob("*.md"):
        if path.name not in EXCERPTS.values():
            path.unlink()
    return corpus_copy


def point_url(path: Path, url: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^url: .*$", f"url: {json.dumps(url)}", text, count=1), encoding="utf-8")


def full_version(path: Path) -> tuple[list[str], str]:
    """The paragraphs of a page holding the whole piece, which begins with the stored opening:
    the opening's last sentence completed (and written with straight quotes), then more."""
    opening = stored_text(path.read_text(encoding="utf-8")).split("\n\n")
    rest = "enormous expansion of state surveillance powers, as the next posts in this series explain."
    paragraphs = [*opening[:-1], opening[-1].replace("’", "'") + " " + rest, PARAGRAPHS[0], PARAGRAPHS[1]]
    return paragraphs, rest


def test_refresh_replaces_an_opening_only_with_the_same_piece(
    capsys, excerpt_corpus, tmp_path, server, closed_port
):
    folder = excerpt_corpus / "analysis"
    same, other, gone = (folder / EXCERPTS[key] for key in ("same", "other", "gone"))
    paragraphs, rest = full_version(same)
    point_url(
        same,
        server.page(
            "/same", article_page("Why You Should Hate the Proposed UN Cybercrime Treaty", paragraphs)
        ),
    )
    point_url(other, server.page("/other", article_page("Something else", PARAGRAPHS)))
    point_url(gone, closed_port + "/gone")
    before = files(folder)
    args = corpus_args(tmp_path, excerpt_corpus)

    status, out, _ = run(capsys, *args, "corpus", "refresh", "--dry-run")
    assert files(folder) == before  # a dry run writes nothing
    assert re.search(rf"would refresh: +analysis/{same.name}", out)
    assert re.search(rf"different: +analysis/{other.name}", out)
    assert re.search(rf"unreachable: +analysis/{gone.name}: Cannot reach", out)
    assert "3 excerpts: 1 refreshed, 1 different, 1 unreachable (dry run: nothing was written)." in out
    assert status == EXIT_FAILURE  # a page could not be reached

    status, out, _ = run(capsys, *args, "corpus", "refresh")
    assert status == EXIT_FAILURE
    assert re.search(rf"refreshed: +analysis/{same.name}: \d+ -> \d+ words", out)
    assert files(folder)[other.name] == before[other.name] and files(folder)[gone.name] == before[gone.name]
    old_meta, _ = split_front_matter(before[same.name].decode("utf-8"))
    text = same.read_text(encoding="utf-8")
    meta, _ = split_front_matter(text)
    assert meta["excerpt"] is False and "refreshed" in meta
    for key in ("title", "publisher", "date", "date_note", "source_copy"):
        assert meta[key] == old_meta[key], key  # the front matter is kept
    assert "Excerpt ends here" not in text and rest in text
    assert stored_text(text).split("\n\n") == paragraphs  # the page's text, as served
    assert "# Why You Should Hate the Proposed UN Cybercrime Treaty" in text

    # Once refreshed, a file is no longer an excerpt: a second run leaves it alone.
    status, out, _ = run(capsys, *args, "corpus", "refresh")
    assert same.name not in out and "2 excerpts" in out


def test_refresh_offline_changes_nothing_and_says_so_in_one_line(
    capsys, excerpt_corpus, tmp_path, closed_port
):
    folder = excerpt_corpus / "analysis"
    for name in EXCERPTS.values():
        point_url(folder / name, f"{closed_port}/{name}")
    before = files(folder)
    for extra in ([], ["--dry-run"]):
        status, out, err = run(capsys, *corpus_args(tmp_path, excerpt_corpus), "corpus", "refresh", *extra)
        assert status == EXIT_FAILURE and out == ""
        assert "Offline: none of the 3 pages" in one_line(err) and "every file stays as it was" in err
    assert files(folder) == before


# --- corpus import-pdf ----------------------------------------------------------------------


def test_import_pdf_with_output_and_its_errors(capsys, corpus_copy, tmp_path, pdf_path, settings):
    before = files(corpus_copy)
    output = tmp_path / "out" / "uncc.md"
    status, out, err = run(
        capsys, "--corpus", str(corpus_copy), "corpus", "import-pdf", str(pdf_path), "--output", str(output)
    )
    assert status == EXIT_OK, err
    assert f"Wrote {output}: 68 articles" in out and "checked against the manifest" in out
    text = output.read_text(encoding="utf-8")
    assert check_converted(text, 68) == []
    mirror = (settings.corpus / "treaty" / "uncc.md").read_text(encoding="utf-8")
    assert body_words(text) == body_words(mirror)  # word for word the mirror's text
    assert split_front_matter(text)[0]["official_url"] == "https://docs.un.org/en/A/RES/79/243"
    assert files(corpus_copy) == before  # --output: the corpus is not touched
    assert list(output.parent.iterdir()) == [output]  # no temporary file left beside it
    status, out, _ = run(
        capsys, "--corpus", str(corpus_copy), "corpus", "import-pdf", str(pdf_path), "--output", str(output)
    )
    assert status == EXIT_OK and "already holds this text: nothing written" in out

    not_pdf = tmp_path / "page.pdf"
    not_pdf.write_text("<html>Not found</html>", encoding="utf-8")
    for argv, message in [
        ([str(not_pdf)], "is not a PDF file"),
        ([str(tmp_path / "absent.pdf")], "PDF file not found"),
        ([str(pdf_path), "--source", "budapest"], "Cannot import 'budapest' from a PDF"),
        ([str(pdf_path), "--source", "nonesuch"], "No source 'nonesuch' in sources.yaml"),
        ([str(pdf_path), "--output", str(tmp_path)], "is a folder"),
    ]:
        status, _, err = run(capsys, "--corpus", str(corpus_copy), "corpus", "import-pdf", *argv)
        assert status == EXIT_FAILURE and message in one_line(err), argv
    assert files(corpus_copy) == before


def test_import_pdf_refuses_a_text_that_fails_the_manifest_check(tmp_path, corpus_copy, pdf_path):
    manifest = tmp_path / "sources.yaml"
    original = (Path(__file__).parents[1] / "corpus" / "sources.yaml").read_text(encoding="utf-8")
    manifest.write_text(original.replace("articles: 68", "articles: 70"), encoding="utf-8")
    before = files(corpus_copy)
    with pytest.raises(CheckFailed) as failure:
        import_pdf(pdf_path, "uncc", corpus_copy, manifest)
    assert failure.value.problems == ["found 68 articles; the manifest expects 70"]
    assert str(failure.value).splitlines()[1:] == ["  - found 68 articles; the manifest expects 70"]
    assert files(corpus_copy) == before
    with pytest.raises(CorpusToolError, match="it lists: uncc, budapest, a-res-79-243-resolution"):
        import_pdf(pdf_path, "ets-185", corpus_copy, manifest)


# --- after add, refresh and import-pdf: the build ----------------------------------------------


def test_build_check_names_what_the_tools_wrote_and_a_build_picks_it_up(
    capsys, corpus_copy, tmp_path, server, pdf_path, index_dir, warm_cache, monkeypatch
):
    """The index built from the mirror is up to date for an untouched copy; after the tools
    ran, `build --check` names the new and changed files and a rebuild embeds only those."""
    index = tmp_path / "index"
    shutil.copytree(index_dir, index)
    monkeypatch.setenv("TREATYBOT_CACHE", str(warm_cache.parent))
    args = [*corpus_args(tmp_path, corpus_copy), "--index", str(index)]
    assert run(capsys, *args, "build", "--check")[0] == EXIT_OK

    url = server.page("/added", article_page("Procedural powers, unchecked", PARAGRAPHS))
    assert run(capsys, *args, "corpus", "add", url)[0] == EXIT_OK
    added = "analysis/2025-03-04-example-rights-review-procedural-powers-unchecked.md"
    refreshed = corpus_copy / "analysis" / EXCERPTS["same"]
    paragraphs, _ = full_version(refreshed)
    point_url(refreshed, server.page("/same", article_page("Why You Should Hate It", paragraphs)))
    for path in (corpus_copy / "analysis").glob("*.md"):  # no other page is fetched
        if path != refreshed and read_analysis_source(path).excerpt:
            path.write_text(
                path.read_text(encoding="utf-8").replace("excerpt: true", "excerpt: false"), "utf-8"
            )
    status, out, err = run(capsys, *args, "corpus", "refresh")
    assert status == EXIT_OK and "1 excerpts: 1 refreshed." in out, out + err
    status, out, err = run(capsys, *args, "corpus", "import-pdf", str(pdf_path))
    assert status == EXIT_OK and "Wrote treaty/uncc.md: 68 articles" in out, err

    status, out, _ = run(capsys, *args, "build", "--check")
    assert status == EXIT_FAILURE
    assert f"new file: corpus:{added}" in out
    assert f"changed file: corpus:analysis/{refreshed.name}" in out
    assert "changed file: corpus:treaty/uncc.md" in out

    status, out, err = run(capsys, *args, "build")
    assert status == EXIT_OK, err
    embedded, reused = map(int, re.search(r"\((\d+) texts embedded, (\d+) reused\)", out).groups())
    assert 0 < embedded < reused  # only the new and changed passages
    assert run(capsys, *args, "build", "--check")[0] == EXIT_OK
    passages = load_index(index).passages
    assert any(p.source == added and PARAGRAPHS[1] in p.quote for p in passages)
    refreshed_quotes = " ".join(p.quote for p in passages if p.source == f"analysis/{refreshed.name}")
    assert PARAGRAPHS[1] in refreshed_quotes  # the refreshed text is indexed, not the old opening


def test_build_without_a_corpus_says_how_to_fetch_one(capsys, tmp_path, index_dir):
    missing = tmp_path / "none"
    status, _, err = run(capsys, "--corpus", str(missing), "--index", str(index_dir), "build")
    assert status == EXIT_FAILURE
    line = one_line(err)
    assert f"No corpus at {missing}: fetch one with treatybot corpus fetch --to {missing}" in line


def test_checking_without_a_corpus_verifies_the_index_files(capsys, tmp_path, index_dir):
    """A serving machine has an index and no corpus: the check is of the index files alone."""
    missing = tmp_path / "none"
    status, out, _ = run(capsys, "--corpus", str(missing), "--index", str(index_dir), "build", "--check")
    assert status == EXIT_OK and "intact" in out and str(missing) in " ".join(out.split())
    damaged = tmp_path / "index"
    shutil.copytree(index_dir, damaged)
    (damaged / "passages.jsonl").write_text("", encoding="utf-8")
    status, out, _ = run(capsys, "--corpus", str(missing), "--index", str(damaged), "build", "--check")
    assert status == EXIT_FAILURE and "passages.jsonl" in out


# --- corpus fetch ---------------------------------------------------------------------------


def fetch_manifest(tmp_path: Path, server: Server, entries: list[dict]) -> Path:
    path = tmp_path / "commentary.yaml"
    data = {
        "official_texts": {
            "pdf_file": f"sources/{PDF_NAME}",
            "from_pdf": ["uncc", "a-res-79-243-resolution"],
            "not_fetched": {"budapest": "No converter for the Council of Europe's layout."},
        },
        "commentary": entries,
    }
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_fetch_makes_a_corpus_from_the_pdf_and_the_listed_pages(capsys, tmp_path, server, pdf_path, settings):
    pdf_url = server.page("/en/A/RES/79/243", pdf_path.read_bytes(), "application/pdf")
    first_url = server.page("/a", article_page("Powers", PARAGRAPHS))
    second_url = server.page("/b", article_page("B", PARAGRAPHS[1:], date=None))
    entries = [
        {"file": "2025-03-04-ex-procedural-powers.md", "url": first_url, "date": "2025-03-04",
         "title": "Procedural powers, unchecked", "publisher": "Example Rights Review (ERR)"},
        {"file": "2025-05-06-ex-undated.md", "url": second_url, "title": "[Untitled in stored copy] A note",
         "publisher": "Example", "date": "2025-05-06", "date_note": "Month from the URL."},
        {"file": "2025-07-08-ex-gone.md", "url": server.url("/gone"), "title": "Gone", "publisher": "Example",
         "date": "2025-07-08"},
    ]  # fmt: skip
    manifest = fetch_manifest(tmp_path, server, entries)
    target = tmp_path / "machine" / "corpus"
    status, out, _ = run(
        capsys, "--config", config(tmp_path, pdf_url=pdf_url, commentary_manifest=str(manifest)),
        "corpus", "fetch", "--to", str(target),
    )  # fmt: skip
    assert status == EXIT_FAILURE  # one page failed; the others are kept
    assert "failed 2025-07-08-ex-gone.md:" in out and "HTTP 404" in out
    assert "commentary: 2 of 3 pages" in out
    assert "budapest: not fetched. No converter" in out and "Add the texts not fetched" in out
    assert sorted(files(target)) == [
        "analysis/2025-03-04-ex-procedural-powers.md",
        "analysis/2025-05-06-ex-undated.md",
        f"sources/{PDF_NAME}",
        "treaty/a-res-79-243-resolution.md",
        "treaty/uncc.md",
    ]
    assert (target / "sources" / PDF_NAME).read_bytes() == pdf_path.read_bytes()
    mirror = (settings.corpus / "treaty" / "uncc.md").read_text(encoding="utf-8")
    assert body_words((target / "treaty" / "uncc.md").read_text(encoding="utf-8")) == body_words(mirror)
    first = read_analysis_source(target / "analysis" / entries[0]["file"])
    assert (first.title, first.publisher, first.date.isoformat(), first.url) == (
        "Procedural powers, unchecked", "Example Rights Review (ERR)", "2025-03-04", entries[0]["url"]
    )  # fmt: skip
    second_text = (target / "analysis" / entries[1]["file"]).read_text(encoding="utf-8")
    second = read_analysis_source(target / "analysis" / entries[1]["file"])
    assert (
        second.title == "B" and second.date.isoformat() == "2025-05-06"
    )  # the page's title for a rebuilt one
    assert split_front_matter(second_text)[0]["date_note"] == "Month from the URL."
    assert normalise(stored_text(second_text)) == normalise("\n\n".join(PARAGRAPHS[1:]))
    assert [p.name for p in target.parent.iterdir()] == ["corpus"]  # no temporary folder left


def test_fetch_offline_fails_in_one_line_and_leaves_nothing(capsys, tmp_path, closed_port, server):
    manifest = fetch_manifest(tmp_path, server, [])
    settings = config(tmp_path, pdf_url=closed_port + "/pdf", commentary_manifest=str(manifest))
    target = tmp_path / "machine" / "corpus"
    before = sorted(p.name for p in tmp_path.iterdir())
    status, out, err = run(capsys, "--config", settings, "corpus", "fetch", "--to", str(target))
    assert status == EXIT_FAILURE and out == ""
    assert "Cannot download the Convention's PDF" in one_line(err) and "Nothing was written." in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # not even the parent folder


def test_fetch_refuses_a_folder_that_is_not_empty(capsys, tmp_path, corpus_copy):
    before = files(corpus_copy)
    status, _, err = run(capsys, "corpus", "fetch", "--to", str(corpus_copy))
    assert status == EXIT_FAILURE and "already exists and is not empty" in one_line(err)
    assert files(corpus_copy) == before


def test_the_commentary_manifest_lists_every_analysis_file_of_the_mirror(corpus):
    from index_build.corpus_tools.manifest import read_fetch_manifest
    from index_build.corpus_tools.settings import DEFAULT_COMMENTARY_MANIFEST

    manifest = read_fetch_manifest(DEFAULT_COMMENTARY_MANIFEST)
    listed = {entry.file: entry for entry in manifest.commentary}
    assert sorted(listed) == sorted(a.path.name for a in corpus.analyses)
    for analysis in corpus.analyses:
        entry = listed[analysis.path.name]
        assert (entry.url, entry.publisher, entry.date) == (analysis.url, analysis.publisher, analysis.date)
    assert set(manifest.from_pdf) | set(manifest.not_fetched) == {t.id for t in corpus.treaties}


def test_run_as_a_module_an_error_is_one_line_without_a_traceback(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "--corpus", str(tmp_path), "corpus", "add", "ftp://example.org/x"],
        cwd=Path(__file__).parents[1],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == EXIT_FAILURE and result.stdout == ""
    assert result.stderr.strip() == "treatybot: Not an http(s) web address: 'ftp://example.org/x'"


def test_the_corpus_tools_are_not_build_code(tmp_path):
    """Changing them does not make an index stale: what they write is hashed as input."""
    import index_build
    from index_contract.freshness import code_fingerprint

    code = tmp_path / "index_build"
    shutil.copytree(Path(index_build.__file__).parent, code, ignore=shutil.ignore_patterns("__pycache__"))
    fingerprint = code_fingerprint(code)
    for package in ("corpus_tools", "pdf_import"):
        with (code / package / "__init__.py").open("a", encoding="utf-8") as module:
            module.write("\n# an edit\n")
    assert code_fingerprint(code) == fingerprint
    with (code / "passages.py").open("a", encoding="utf-8") as module:
        module.write("\n# an edit\n")
    assert code_fingerprint(code) != fingerprint
