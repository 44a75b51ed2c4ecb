"""The WhatsApp test kit: Twilio's real webhook forms (tests/fixtures/payloads), signing them, a person
writing to the bot through the webhook (``WhatsAppUser``), and helpers to queue messages and read rows.

The fixtures built on it (``fake_twilio``, ``wa_service``, ``client``, ``wa_user``) are in tests/conftest.py.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from bot.outbox import enqueue
from bot.service import Service
from bot.types import Reply
from storage.models import Address, Outbox
from tests.fakes.twilio_api import FakeTwilioAPI, SentMessage

PAYLOADS = Path(__file__).parents[1] / "fixtures" / "payloads"
PUBLIC_URL = "https://bot.example.org"
SENDER = "whatsapp:+14155238886"
_sids = itertools.count(1)


def inbound_form(**overrides: str) -> dict[str, str]:
    """Twilio's real inbound webhook (fixture), with fields replaced."""
    form = dict(parse_qsl((PAYLOADS / "twilio_whatsapp_inbound.form").read_text().strip(), keep_blank_values=True))
    form.update(overrides)
    return form


def status_form(**overrides: str) -> dict[str, str]:
    form = dict(parse_qsl((PAYLOADS / "twilio_whatsapp_status.form").read_text().strip(), keep_blank_values=True))
    form.update(overrides)
    return form


def sign(token: str, path: str, form: dict[str, str]) -> str:
    return RequestValidator(token).compute_signature(PUBLIC_URL + path, form)


class WhatsAppUser:
    """One person writing to the bot on WhatsApp through Twilio's webhook."""

    def __init__(self, client: TestClient, service: Service, api: FakeTwilioAPI, number: str,
                 name: str = "Noy") -> None:
        self.client = client
        self.service = service
        self.api = api
        self.address = f"whatsapp:{number}"
        self.name = name
        self.seen = 0

    async def post(self, form: dict[str, str], path: str = "/webhooks/whatsapp",
                   signature: str | None = None) -> ClientResponse:
        sig = sign(self.api.auth_token, path, form) if signature is None else signature
        return await self.client.post(path, data=form, headers={"X-Twilio-Signature": sig})

    def form(self, body: str = "", **extra: str) -> dict[str, str]:
        sid = f"SM{next(_sids):032x}"
        fields = dict(From=self.address, WaId=self.address.removeprefix("whatsapp:+"), Body=body,
                      ProfileName=self.name, MessageSid=sid, SmsMessageSid=sid, SmsSid=sid)
        return inbound_form(**{**fields, **extra})

    async def say(self, body: str = "", **extra: str) -> str:
        resp = await self.post(self.form(body, **extra))
        assert resp.status == 200, await resp.text()
        assert resp.content_type == "text/xml"
        assert "<Response/>" in await resp.text()
        await self.service.outbox.drain()
        return self.text()

    def new(self) -> list[SentMessage]:
        mine = self.api.to(self.address)
        fresh, self.seen = mine[self.seen:], len(mine)
        return fresh

    def text(self) -> str:
        return "\n".join(m.body or "" for m in self.new())


def number_of(text: str, label: str) -> str:
    """The menu number in front of a label: "2. English" → "2"."""
    match = re.search(rf"^(\d+)\. {re.escape(label)}", text, re.MULTILINE)
    assert match, f"no {label!r} in menu:\n{text}"
    return match.group(1)


def twilio_settings(api: FakeTwilioAPI, **extra: Any) -> dict[str, Any]:
    return dict(twilio_account_sid=api.account_sid, twilio_auth_token=api.auth_token, twilio_whatsapp_from=SENDER,
                twilio_api_url=api.url, public_url=PUBLIC_URL, **extra)


async def onboard(user: WhatsAppUser) -> None:
    text = await user.say("Sabaidee")
    text = await user.say(number_of(text, "English"))
    assert "What is your name?" in text
    text = await user.say(user.name)
    text = await user.say(number_of(text, "Weaving and textiles"))
    assert "1. Laos" in text  # the phone's country code put Laos first
    text = await user.say("1")
    text = await user.say(number_of(text, "Skip"))  # the two optional questions
    text = await user.say(number_of(text, "Skip"))
    text = await user.say(number_of(text, "Full photos"))  # the data saver question (WhatsApp only)
    assert f"All set, {user.name}" in text


async def outbox_rows(service: Service, address: str) -> list[Outbox]:
    async with service.db.read() as session:
        return list((await session.scalars(select(Outbox).where(Outbox.address == address).order_by(Outbox.id))).all())


async def address_row(service: Service, address: str) -> Address:
    async with service.db.read() as session:
        row = (await session.scalars(select(Address).where(Address.address == address))).one()
        return row


async def queue(service: Service, address: str, reply: Reply) -> None:
    async with service.db.transaction() as session:
        row = await session.scalar(select(Address).where(Address.address == address))
        enqueue(session, row.user_id if row else None, "whatsapp", address, reply, now=service.clock.now())


async def post_status(user: WhatsAppUser, sid: str, status: str, code: str | None = None) -> int:
    form = status_form(MessageSid=sid, SmsSid=sid, MessageStatus=status, SmsStatus=status, To=user.address,
                       AccountSid=user.api.account_sid)
    if code:
        form["ErrorCode"] = code
    resp = await user.post(form, path="/webhooks/whatsapp/status")
    return resp.status
