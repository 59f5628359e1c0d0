"""The feedback database seen from outside the store: whether `discord.feedback_db` names
PostgreSQL, the URL checked and its passwords redacted, and the error every store raises. The
settings, the per-server settings and the stores all read it; it reads none of them."""

from __future__ import annotations

import re
from urllib.parse import unquote

from index_contract.config import ConfigError

POSTGRES_SCHEMES = ("postgresql://", "postgres://")
REDACTED = "***"
# Where a database URL holds a password: user:PASSWORD@host, and ?password= (or sslpassword=).
URL_PASSWORD = re.compile(r"(://[^/?#@\s]*?:)([^/?#@\s]*)(@)")
QUERY_PASSWORD = re.compile(r"([?&](?:ssl)?password=)([^&#\s]*)", re.IGNORECASE)
MAX_PORT = 65535


class FeedbackError(Exception):
    """The vote store cannot be read or written; the message names it."""


class DatabaseUrlError(ConfigError, ValueError):
    """`discord.feedback_db` (or `--db`) is not a PostgreSQL URL that can be used."""


def is_postgres_url(text: str) -> bool:
    return text.startswith(POSTGRES_SCHEMES)


def url_secrets(url: str) -> list[str]:
    """The passwords in a database URL, as written and percent-decoded, longest first."""
    found = [m.group(2) for m in URL_PASSWORD.finditer(url)] + [
        m.group(2) for m in QUERY_PASSWORD.finditer(url)
    ]
    return sorted({s for s in [*found, *map(unquote, found)] if s}, key=len, reverse=True)


def redact(text: str, url: str) -> str:
    """`text` (the URL itself, an error message, a log line) without any password `url` holds."""
    text = QUERY_PASSWORD.sub(rf"\g<1>{REDACTED}", URL_PASSWORD.sub(rf"\g<1>{REDACTED}\g<3>", text))
    for secret in url_secrets(url):
        text = text.replace(secret, REDACTED)
    return text


def check_postgres_url(url: str) -> str:
    """`url` if libpq can use it (several hosts are fine); DatabaseUrlError, redacted, if not."""
    from psycopg import Error
    from psycopg.conninfo import conninfo_to_dict

    try:
        params = conninfo_to_dict(url)
    except Error as exc:
        raise DatabaseUrlError(
            f"Not a usable PostgreSQL URL ({redact(first_line(exc), url)}): {redact(url, url)}"
        ) from None
    for port in str(params.get("port") or "").split(","):
        if port and not (port.isdigit() and 0 < int(port) <= MAX_PORT):
            raise DatabaseUrlError(
                f"PostgreSQL port {port[:20]!r} is not a number from 1 to {MAX_PORT}: {redact(url, url)}"
            )
    return url


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else exc.__class__.__name__
