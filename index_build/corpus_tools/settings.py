"""Settings of the corpus tools: addresses, time and size limits.

They come from the `corpus_tools` section of the config file (see treatybot.example.yaml);
every key is optional and the defaults below apply. Tests point the addresses at 127.0.0.1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from index_contract.config import PROJECT_ROOT, ConfigError, Settings
from index_contract.safe_yaml import short_repr

# The official PDF of resolution 79/243, whose annex is the Convention (UN Official Document System).
DEFAULT_PDF_URL = "https://docs.un.org/en/A/RES/79/243"
DEFAULT_COMMENTARY_MANIFEST = PROJECT_ROOT / "corpus" / "fetch" / "commentary.yaml"
DEFAULT_TIMEOUT_SECONDS = 30.0  # for one whole fetch: connecting, waiting and reading
MAX_PAGE_BYTES = 5 * 1024 * 1024  # a commentary page; far more than any article needs
MAX_PDF_BYTES = 50 * 1024 * 1024  # an official PDF (A/RES/79/243 is 0.5 MB)
DEFAULT_WORKERS = 4  # pages fetched at once by refresh and fetch
MAX_SETTING_NUMBER = 10**12  # no limit or count of the corpus tools comes near this


@dataclass(frozen=True)
class ToolSettings:
    pdf_url: str = DEFAULT_PDF_URL
    commentary_manifest: Path = DEFAULT_COMMENTARY_MANIFEST
    timeout: float = DEFAULT_TIMEOUT_SECONDS
    max_page_bytes: int = MAX_PAGE_BYTES
    max_pdf_bytes: int = MAX_PDF_BYTES
    workers: int = DEFAULT_WORKERS
    project_url: str = ""  # named in the User-Agent, so that a site can say who fetched

    @property
    def user_agent(self) -> str:
        contact = f" (+{self.project_url})" if self.project_url else ""
        return f"treatybot/{_version()}{contact}"


def tool_settings(settings: Settings) -> ToolSettings:
    """The `corpus_tools` section of the config, checked; relative paths are relative to the file."""
    raw = settings.sections.get("corpus_tools") or {}
    where = f"{settings.config_file}: corpus_tools" if settings.config_file else "corpus_tools"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} must be a mapping of settings")
    unknown = sorted((key for key in raw if key not in _KEYS), key=str)
    if unknown:
        raise ConfigError(f"{where}: unknown setting {short_repr(unknown[0])}; known: {', '.join(_KEYS)}")
    base = settings.config_file.parent if settings.config_file else PROJECT_ROOT
    values: dict[str, object] = {}
    for key, value in raw.items():
        field, kind = _KEYS[key]
        values[field] = _checked(value, kind, f"{where}.{key}", base)
    return ToolSettings(**values)


# config key -> (ToolSettings field, kind)
_KEYS = {
    "pdf_url": ("pdf_url", "url"),
    "commentary_manifest": ("commentary_manifest", "path"),
    "timeout_seconds": ("timeout", "seconds"),
    "max_page_bytes": ("max_page_bytes", "bytes"),
    "max_pdf_bytes": ("max_pdf_bytes", "bytes"),
    "workers": ("workers", "count"),
    "project_url": ("project_url", "url"),
}


def _checked(value: object, kind: str, where: str, base: Path) -> object:
    if kind in ("url", "path"):
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{where} must be text, got {short_repr(value)}")
        if kind == "url" and not value.startswith(("http://", "https://")):
            raise ConfigError(f"{where} must be an http(s) address, got {short_repr(value)}")
        return (base / Path(value).expanduser()).resolve() if kind == "path" else value.strip()
    if isinstance(value, bool) or not isinstance(value, int | float) or not _finite(value):
        raise ConfigError(f"{where} must be a number, got {short_repr(value)}")
    if value > MAX_SETTING_NUMBER:
        raise ConfigError(f"{where} must be at most {MAX_SETTING_NUMBER:,}, got {short_repr(value)}")
    if kind == "seconds" and value > 0:
        return float(value)
    if kind in ("bytes", "count") and value >= 1 and float(value).is_integer():
        return int(value)
    raise ConfigError(f"{where} must be a positive {'number' if kind == 'seconds' else 'whole number'}")


def _finite(value: int | float) -> bool:
    return isinstance(value, int) or math.isfinite(value)


def _version() -> str:
    try:
        return metadata.version("treatybot")
    except metadata.PackageNotFoundError:
        return "0"
