"""HTTP GET with a deadline, a size limit, a User-Agent and a check of what came back.

Only the standard library: `fetch` returns the body as bytes and the content type and
charset the server declared, or raises `FetchError` with one line saying what went wrong
(and, in `kind`, whether the address could be reached at all).
"""

from __future__ import annotations

import codecs
import contextlib
import functools
import http.client
import re
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from index_build.corpus_tools.errors import FetchError
from index_contract.safe_yaml import short_repr

CHUNK_BYTES = 64 * 1024
HTML_TYPES = ("text/html", "application/xhtml+xml")
PDF_TYPES = ("application/pdf", "application/x-pdf", "application/octet-stream", "binary/octet-stream")
PDF_MAGIC = b"%PDF-"
# Where a page declares its encoding in a <meta> tag: the HTML standard looks in the first 1024
# bytes; pages with long <head>s put it later, so look a little further.
META_PRESCAN_BYTES = 4096
META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# Labels that browsers read as windows-1252 (the HTML standard's encoding table): a page
# declared ISO-8859-1 with curly quotes in it has them at bytes 0x80-0x9F.
WINDOWS_1252_LABELS = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "us-ascii", "ascii", "cp819"}


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    content_type: str  # "text/html", or "" when the server sent none
    charset: str | None  # as declared in the Content-Type header
    body: bytes


def check_url(url: str) -> str:
    """The URL, stripped, if it is an http(s) address with a host; else a one-line error."""
    url = url.strip()
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise FetchError(f"Not a usable web address: {url!r}", "address") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"Not an http(s) web address: {url!r}", "address")
    return url


def fetch(url: str, *, timeout: float, max_bytes: int, user_agent: str, accept: tuple[str, ...]) -> Fetched:
    """GET `url`: the whole answer within `timeout` seconds, at most `max_bytes`, of a type in `accept`."""
    url = check_url(url)
    request = urllib.request.Request(
        url, headers={"User-Agent": user_agent, "Accept": ", ".join(accept) + ", */*;q=0.1"}
    )
    opener = _opener(deadline := Deadline(timeout))
    try:
        with deadline, opener.open(request, timeout=timeout) as response:
            content_type = response.headers.get_content_type() if response.headers.get("Content-Type") else ""
            charset = response.headers.get_content_charset()
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise _too_large(url, max_bytes)
            if content_type and content_type not in accept:
                raise FetchError(f"{url} is {content_type}, not {_kinds(accept)}.", "type")
            body = bytearray()
            while chunk := response.read(CHUNK_BYTES):
                body += chunk
                if len(body) > max_bytes:
                    raise _too_large(url, max_bytes)
            if deadline.expired:  # the connection was cut: what came is not the whole body
                raise _timed_out(url, timeout)
            final_url = response.geturl()
    except urllib.error.HTTPError as exc:
        if str(exc.reason).startswith(urllib.request.HTTPRedirectHandler.inf_msg):
            raise FetchError(f"{url} redirects too many times or in a loop.", "http") from None
        raise FetchError(f"{url} answered HTTP {exc.code} ({_first_line(exc.reason)}).", "http") from None
    except urllib.error.URLError as exc:
        if deadline.expired or isinstance(exc.reason, TimeoutError | socket.timeout):
            raise _timed_out(url, timeout) from None
        raise FetchError(f"Cannot reach {url}: {_reason(exc.reason)}.", "connection") from None
    except TimeoutError:
        raise _timed_out(url, timeout) from None
    except (http.client.HTTPException, OSError) as exc:
        if deadline.expired:  # the connection was cut mid-way
            raise _timed_out(url, timeout) from None
        raise FetchError(f"Cannot fetch {url}: {_reason(exc)}.", "connection") from None
    except ValueError as exc:  # e.g. a redirect to an address urllib cannot follow
        raise FetchError(f"Cannot fetch {url}: {exc}.", "address") from None
    return Fetched(final_url, content_type, charset, bytes(body))


class Deadline:
    """A whole-request time limit: when it passes, the request's sockets are shut down, so a
    server that sends headers or body one byte at a time cannot hold a fetch any longer."""

    def __init__(self, seconds: float) -> None:
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)  # a read blocked in another thread returns at once


class _Watched:
    """A connection whose socket the request's deadline watches once it is connected."""

    def __init__(self, *args: object, deadline: Deadline, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        self.deadline = deadline

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        self.deadline.watch(self.sock)  # type: ignore[attr-defined]


class _WatchedHTTPConnection(_Watched, http.client.HTTPConnection):
    pass


class _WatchedHTTPSConnection(_Watched, http.client.HTTPSConnection):
    pass


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: Deadline) -> None:
        super().__init__()
        self.deadline = deadline

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(functools.partial(_WatchedHTTPConnection, deadline=self.deadline), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: Deadline) -> None:
        super().__init__()
        self.deadline = deadline

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        connection = functools.partial(_WatchedHTTPSConnection, deadline=self.deadline)
        return self.do_open(connection, req, context=self._context)


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Redirects are followed to http(s) addresses only (urllib would also follow ftp://)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urllib.parse.urlsplit(newurl).scheme.lower() not in ("http", "https"):
            raise FetchError(
                f"{req.full_url} redirects to a non-http(s) address: {short_repr(newurl)}", "address"
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener(deadline: Deadline) -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(_HTTPHandler(deadline), _HTTPSHandler(deadline), _HttpOnlyRedirects())


def _first_line(text: object) -> str:
    lines = str(text).strip().splitlines()
    return lines[0] if lines else ""


def looks_like_html(body: bytes) -> bool:
    """A body with no declared type is taken for HTML when it starts with a tag."""
    start = body.lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n")[:1]
    return start == b"<"


def decode_html(body: bytes, declared: str | None = None) -> str:
    """The page as text: the byte-order mark, else the header's charset, else the <meta> one,
    else UTF-8 if it decodes, else windows-1252 (what browsers assume)."""
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if body.startswith(bom):
            return body.decode(codec, errors="replace").lstrip("\ufeff")
    meta = META_CHARSET.search(body[:META_PRESCAN_BYTES])
    for label in (declared, meta.group(1).decode("ascii") if meta else None):
        codec = _codec(label)
        if codec:
            return body.decode(codec, errors="replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace")


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().lower()
    if label in WINDOWS_1252_LABELS:
        return "cp1252"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    # A page that says UTF-16 in a <meta> tag but has no byte-order mark is ASCII-compatible.
    return "utf-8" if name.startswith("utf-16") else name


def _kinds(accept: tuple[str, ...]) -> str:
    return (
        "an HTML page"
        if set(accept) <= set(HTML_TYPES)
        else "a PDF file"
        if "application/pdf" in accept
        else "/".join(accept)
    )


def _too_large(url: str, max_bytes: int) -> FetchError:
    return FetchError(f"{url} is larger than the limit of {max_bytes:,} bytes.", "size")


def _timed_out(url: str, timeout: float) -> FetchError:
    return FetchError(f"{url} did not answer within {timeout:g} s.", "timeout")


def _reason(reason: object) -> str:
    if isinstance(reason, socket.gaierror):
        return "the host name could not be resolved (offline?)"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror[:1].lower() + reason.strerror[1:]
    return str(reason) or type(reason).__name__
