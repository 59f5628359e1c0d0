"""Settings: command-line flag, else environment variable, else YAML config file, else default.

Relative paths in the config file are relative to that file; relative paths given on the
command line or in the environment are relative to the working directory. The defaults lie in
the checkout when treatybot runs from one (index/, .cache/, ../shared/corpus, treatybot.yaml),
and in the working directory when it is installed as a package (index/, .cache/, corpus/,
treatybot.yaml): a serving machine runs it from the folder that holds its index.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from index_contract.models import DEFAULT_MODEL
from index_contract.safe_yaml import load_yaml, short_repr

_CODE_PARENT = Path(__file__).resolve().parent.parent
IN_CHECKOUT = (_CODE_PARENT / "pyproject.toml").is_file()  # not an installed package
PROJECT_ROOT = _CODE_PARENT if IN_CHECKOUT else Path.cwd()
DEFAULT_CONFIG_FILE = PROJECT_ROOT / "treatybot.yaml"
DEFAULT_CORPUS = PROJECT_ROOT.parent / "shared" / "corpus" if IN_CHECKOUT else PROJECT_ROOT / "corpus"
DEFAULT_INDEX = PROJECT_ROOT / "index"
DEFAULT_CACHE = PROJECT_ROOT / ".cache"
TEXT_SETTINGS = ("corpus", "index", "cache", "model")  # top-level settings that are a path or a name


class ConfigError(Exception):
    """The config file cannot be read; the message names the file and the problem."""


@dataclass(frozen=True)
class Settings:
    corpus: Path
    index: Path
    cache: Path
    model: str
    config_file: Path | None = None
    sections: dict = field(default_factory=dict)  # the raw config, for adapters (e.g. discord)

    @property
    def embedding_cache(self) -> Path:
        return self.cache / "embeddings.sqlite3"


def load_settings(
    config: Path | str | None = None,
    *,
    corpus: Path | str | None = None,
    index: Path | str | None = None,
    model: str | None = None,
) -> Settings:
    config_file = _config_file(config)
    raw = _read_config(config_file) if config_file else {}
    base = config_file.parent if config_file else PROJECT_ROOT

    def path_setting(flag: Path | str | None, env: str, key: str, default: Path) -> Path:
        if flag:
            return Path(flag).expanduser().resolve()
        if os.environ.get(env):
            return Path(os.environ[env]).expanduser().resolve()
        if raw.get(key):
            return (base / Path(str(raw[key])).expanduser()).resolve()
        return default

    return Settings(
        corpus=path_setting(corpus, "TREATYBOT_CORPUS", "corpus", DEFAULT_CORPUS),
        index=path_setting(index, "TREATYBOT_INDEX", "index", DEFAULT_INDEX),
        cache=path_setting(None, "TREATYBOT_CACHE", "cache", DEFAULT_CACHE),
        model=model or os.environ.get("TREATYBOT_MODEL") or str(raw.get("model") or DEFAULT_MODEL),
        config_file=config_file,
        sections=raw,
    )


def _config_file(explicit: Path | str | None) -> Path | None:
    if explicit:
        path = Path(explicit).expanduser().resolve()
        if not path.is_file():
            raise ConfigError(f"Config file not found: {path}")
        return path
    if os.environ.get("TREATYBOT_CONFIG"):
        return _config_file(os.environ["TREATYBOT_CONFIG"])
    return DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.is_file() else None


def _read_config(path: Path) -> dict:
    try:
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"Cannot read config file {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"Config file {path} must be a YAML mapping (key: value lines)")
    check_text_settings(data, path)
    return data


def check_text_settings(data: dict, path: Path) -> None:
    """The top-level path and model settings are text (or left empty)."""
    for key in TEXT_SETTINGS:
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            raise ConfigError(f"Config file {path}: '{key}' must be text, got {short_repr(value)}")
