"""API keys: read from an environment variable or a key/config file, held so that they are never printed.

A key lives in a `Secret` whose repr and str are redacted, is sent only in the Authorization
header, and is scrubbed from every error message the backend raises (`redact`), in case a server
echoes it back.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path


class Secret:
    """A string that does not show itself in logs, reprs or tracebacks."""

    __slots__ = ("_value",)

    def __init__(self, value: str):
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)


def resolve_api_key(
    api_key_env: str | None = "OPENAI_API_KEY", api_key_file: str | os.PathLike | None = None
) -> Secret | None:
    """The key from `api_key_file` if given, else from the environment variable; None if neither.

    The file holds the key on its first line, or, for a .yaml/.yml/.json config file, under `api_key`.

    Servers started without a key (a local `vllm serve` without `--api-key`) need none.
    """
    if api_key_file is not None:
        path = Path(api_key_file).expanduser()
        if not path.is_file():
            raise FileNotFoundError(f"api_key_file {path} does not exist; write the key on its first line")
        if path.stat().st_mode & (stat.S_IRGRP | stat.S_IROTH):
            logging.getLogger(__name__).warning("key file %s is readable by others; run: chmod 600 %s", path, path)
        if path.suffix in (".yaml", ".yml", ".json"):  # a config file with an `api_key` entry
            import yaml  # JSON is YAML  # lazy: only a key kept in a config file needs a YAML parser

            config = yaml.safe_load(path.read_text()) or {}
            value = config.get("api_key") if isinstance(config, dict) else None
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"api_key_file {path} has no `api_key: ...` entry; add one")
            return Secret(value.strip())
        lines = path.read_text().strip().splitlines()
        if not lines or not lines[0].strip():
            raise ValueError(f"api_key_file {path} is empty; write the key on its first line")
        return Secret(lines[0].strip())
    if api_key_env:
        value = os.environ.get(api_key_env, "").strip()
        if value:
            return Secret(value)
    return None


def redact(text: str, key: Secret | None) -> str:
    """`text` with every occurrence of the key replaced by ***."""
    if key and key.reveal() in text:
        return text.replace(key.reveal(), "***")
    return text
