"""Document attachments (Reply.document): Telegram uploads them (sendDocument), the terminal prints the path,
the document store keeps files a week with unguessable keys."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from bot.channels.terminal import render
from bot.documents import DocumentStore
from bot.outbox import Delivery
from bot.types import Media, Reply
from tests.channels.test_telegram import telegram_service
from tests.conftest import MakeService
from tests.fakes.telegram_api import FakeTelegramAPI


async def test_telegram_sends_the_document_after_the_text(make_service: MakeService,
                                                           fake_telegram: FakeTelegramAPI) -> None:
    service = await telegram_service(make_service, fake_telegram)
    key = service.documents.save(json.dumps({"name": "Noy"}).encode())
    reply = Reply("Here it is", document=Media(kind="document", key=key, name="my-data.json"))
    assert Reply.from_dict(reply.to_dict()) == reply
    assert service.telegram is not None
    await service.telegram.sender.send(Delivery(1, None, "telegram", "telegram:42", reply, 0, None))
    methods = [c.method for c in fake_telegram.sent(42)]
    assert methods == ["sendMessage", "sendDocument"]
    assert json.loads(fake_telegram.sent(42)[1].params["document"]) == {"name": "Noy"}


def test_terminal_prints_where_the_file_is() -> None:
    reply = Reply("Your data", document=Media(kind="document", key="k.json", url="exports/k.json", name="my-data.json"))
    assert "[file: exports/k.json]" in render(reply)


def test_store_keys_are_random_and_old_files_are_pruned(tmp_path: Path) -> None:
    store = DocumentStore(tmp_path)
    first, second = store.save(b"{}"), store.save(b"{}")
    assert first != second and store.path(first) is not None and store.path("../x.json") is None
    old = store.path(first)
    assert old is not None
    os.utime(old, (time.time() - 8 * 86400,) * 2)
    assert store.prune() == 1 and store.path(first) is None and store.path(second) is not None
