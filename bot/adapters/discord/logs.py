"""Logging for the Discord adapter: the token never reaches a log line."""
from __future__ import annotations

import json
import logging
import time
from typing import Iterable

from bot.config import Settings


# ---------------------------------------------------------------------------- logging
class RedactFilter(logging.Filter):
    """Replaces secrets (the bot token) in log records, including tracebacks."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__("racebot-redact")
        self.secrets = [s for s in secrets if s and len(s) >= 6]

    def _clean(self, text: str) -> str:
        for s in self.secrets:
            text = text.replace(s, "[REDACTED]")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:
            message = str(record.msg)
        cleaned = self._clean(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._clean(record.exc_text)
        return True


def install_redaction(token: str, handlers: Iterable[logging.Handler] | None = None) -> RedactFilter:
    """Attach a :class:`RedactFilter` for ``token`` to ``handlers`` (default: the root logger's)."""
    filt = RedactFilter([token])
    for h in handlers if handlers is not None else logging.getLogger().handlers:
        if not any(isinstance(f, RedactFilter) and token in f.secrets for f in h.filters):
            h.addFilter(filt)
    return filt




class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, and the
    traceback as ``exc`` when there is one (redacted like every line)."""

    def format(self, record: logging.LogRecord) -> str:
        out = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            out["exc"] = record.exc_text
        return json.dumps(out, ensure_ascii=False)


def formatter_for(settings: Settings) -> logging.Formatter:
    if settings.log_format == "json":
        return JsonFormatter()
    return logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s")


def setup_logging(settings: Settings) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(formatter_for(settings))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    logging.getLogger("discord").setLevel(max(logging.INFO, logging.getLevelName(settings.log_level)))
    install_redaction(settings.discord_token, [handler])
