"""LOG_FORMAT=json: one JSON object a line, naming the update being handled; secrets still redacted."""

from __future__ import annotations

import io
import json
import logging

from bot.logs import JsonFormatter, about_update, address_hash, configure
from bot.redact import protect


def json_logger() -> tuple[logging.Logger, io.StringIO]:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("tests.json")
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger, out


def lines(out: io.StringIO) -> list[dict[str, str]]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_json_lines_carry_the_update_and_a_hash_of_the_address_never_the_address() -> None:
    logger, out = json_logger()
    logger.info("outside")
    with about_update("upd-42", "whatsapp", "whatsapp:+8562055512345"):
        logger.warning("inside %s", "here")
    first, second = lines(out)
    assert first["message"] == "outside" and first["level"] == "INFO" and "update" not in first
    assert first["logger"] == "tests.json" and first["time"].endswith("+00:00")
    assert second["update"] == "upd-42" and second["channel"] == "whatsapp"
    assert second["address"] == address_hash("whatsapp:+8562055512345")
    assert "8562055512345" not in out.getvalue()


def test_secrets_are_redacted_in_json_lines_and_tracebacks() -> None:
    secret = "json-secret-token-123456"
    protect(secret)
    logger, out = json_logger()
    logger.info("calling https://api/bot%s/getMe", secret)
    try:
        raise RuntimeError(f"failed with {secret}")
    except RuntimeError:
        logger.exception("boom")
    assert secret not in out.getvalue()
    first, second = lines(out)
    assert "[redacted]" in first["message"] and "[redacted]" in second["exception"]


def test_configure_switches_the_root_handlers_only_for_json() -> None:
    root = logging.Logger("fake-root")
    root.addHandler(logging.StreamHandler(io.StringIO()))
    configure("text", root)
    assert not isinstance(root.handlers[0].formatter, JsonFormatter)
    configure("json", root)
    assert isinstance(root.handlers[0].formatter, JsonFormatter)
