"""WhatsApp pieces on their own: signatures, the inbound mapping, rendering, media download, config."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from twilio.request_validator import RequestValidator

from bot.channels.base import ChannelCore
from bot.channels.whatsapp import WhatsAppChannel, phone_hint, to_inbound
from bot.channels.whatsapp_send import MENU_HINT, WhatsAppSender, one_line, parse_templates, text_messages
from bot.config import Settings
from bot.context import ManualClock
from bot.deliveries import Deliveries
from bot.i18n import translator
from bot.media import MAX_BYTES, MediaRejected, MediaStore
from bot.types import Button, Media, Reply, rows
from storage.db import Database
from storage.links import moves_forward
from tests.fakes.twilio_api import FakeTwilioAPI

PAYLOADS = Path(__file__).parents[1] / "fixtures" / "payloads"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def test_twilio_documented_signature_example() -> None:
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    params = {"CallSid": "CA1234567890ABCDE", "Caller": "+12349013030", "Digits": "1234",
              "From": "+12349013030", "To": "+18005551212"}
    validator = RequestValidator("12345")
    assert validator.compute_signature(url, params) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
    assert validator.validate(url, params, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
    assert not validator.validate(url, {**params, "Digits": "1235"}, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")


@pytest.mark.parametrize(("number", "hint"), [
    ("whatsapp:+8562055512345", ("LA", "lo")), ("whatsapp:+85512345678", ("KH", "km")),
    ("whatsapp:+84901234567", ("VN", "vi")), ("whatsapp:+66811112222", ("TH", "th")),
    ("whatsapp:+628123456789", ("ID", "id")), ("whatsapp:+60123456789", ("MY", "ms")),
    ("whatsapp:+6737123456", ("BN", "ms")), ("whatsapp:+959123456789", ("MM", "my")),
    ("whatsapp:+639171234567", ("PH", "fil")), ("whatsapp:+6581234567", ("SG", "en")),
    ("whatsapp:+67077123456", ("TL", "en")), ("whatsapp:+558282136275", None),
    ("whatsapp:+14155238886", None),
])
def test_language_and_country_hint_from_the_phone(number: str, hint: tuple[str, str] | None) -> None:
    assert phone_hint(number) == hint


def test_real_inbound_payload_maps_to_the_standard_message() -> None:
    form = dict(parse_qsl((PAYLOADS / "twilio_whatsapp_inbound.form").read_text().strip(), keep_blank_values=True))
    msg = to_inbound(form)
    assert msg.channel == "whatsapp" and msg.address == "whatsapp:+558282136275"
    assert msg.external_id == "SM01cd3925943ee3504f8a5c42d88efdf6"
    assert msg.text == "Olá" and msg.profile_name == "Jhonata" and msg.payload is None
    assert msg.media == () and msg.location is None and msg.language_hint is None and msg.meta == {}


def test_media_location_and_quick_reply_answers() -> None:
    base = {"MessageSid": "SM1", "From": "whatsapp:+8562055512345", "WaId": "8562055512345"}
    msg = to_inbound({**base, "NumMedia": "2", "MediaUrl0": "https://api.twilio.com/m/1",
                      "MediaContentType0": "image/jpeg", "MediaUrl1": "https://api.twilio.com/m/2",
                      "MediaContentType1": "audio/ogg", "Body": ""})
    assert [(m.kind, m.url, m.content_type) for m in msg.media] == [
        ("photo", "https://api.twilio.com/m/1", "image/jpeg"), ("voice", "https://api.twilio.com/m/2", "audio/ogg")]
    assert (msg.language_hint, msg.meta) == ("lo", {"country_hint": "LA"})
    loc = to_inbound({**base, "Latitude": "19.8856", "Longitude": "102.1347", "Address": "Night market",
                      "Label": "Stall 12"}).location
    assert loc is not None and (loc.latitude, loc.longitude, loc.address, loc.label) == (
        19.8856, 102.1347, "Night market", "Stall 12")
    assert to_inbound({**base, "Latitude": "north", "Longitude": "1"}).location is None
    button = to_inbound({**base, "ButtonPayload": "lesson:basics", "ButtonText": "Continue", "Body": "Continue"})
    assert button.payload == "lesson:basics" and button.text == "Continue"
    only_waid = to_inbound({"MessageSid": "SM2", "WaId": "66811112222"})
    assert only_waid.address == "whatsapp:+66811112222"
    for bad in ({"From": "whatsapp:+856"}, {"MessageSid": "SM3", "From": "whatsapp:hello"},
                {"MessageSid": "SM3", "From": "whatsapp:+66811112222", "NumMedia": "x"}):
        with pytest.raises(ValueError):
            to_inbound(bad)


def test_buttons_become_a_numbered_menu_and_long_text_is_split() -> None:
    reply = Reply("Pick one", rows(Button("Courses", "menu:courses"), Button("Market", "market:home"), width=2),
                  title="Menu")
    [body] = text_messages(reply, "en")
    assert body == "*Menu*\n\nPick one\n\n1. Courses\n2. Market\n_Reply with a number._"
    long = Reply("ສະບາຍດີ " * 700, rows(Button("OK", "x:ok")))
    parts = text_messages(long, "lo")
    assert len(parts) == 4 and all(len(p) <= 1600 for p in parts)
    hint = translator("lo").gettext(MENU_HINT)  # in the user's language
    assert parts[-1].endswith(f"\n\n1. OK\n_{hint}_")
    assert one_line("a\n\n b\t c" + "x" * 2000).startswith("a b c") and len(one_line("y" * 2000)) == 1000


@pytest.fixture
async def sender(tmp_path: Path) -> AsyncIterator[WhatsAppSender]:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    settings = Settings(twilio_account_sid="AC1", twilio_auth_token="t", twilio_whatsapp_from="+14155238886",
                        public_url="https://bot.example.org",
                        twilio_templates=json.dumps({"quick_reply_2": "HXquick", "announcement": "HXann"}))
    yield WhatsAppSender(settings, Deliveries(db), ManualClock())
    await db.close()


def test_photos_by_url_and_our_own_media_path(sender: WhatsAppSender) -> None:
    assert sender.from_ == "whatsapp:+14155238886" and sender.rate == 80.0
    ours = sender.messages(Reply("Scarf", photo=Media("photo", key="ab" * 16 + ".jpg")), "en", True)
    assert ours == [{"media_url": [f"https://bot.example.org/media/{'ab' * 16}.jpg"], "body": "Scarf"}]
    remote = sender.messages(Reply("Scarf", photo=Media("photo", url="https://cdn.example/x.jpg")), "en", True)
    assert remote[0]["media_url"] == ["https://cdn.example/x.jpg"]
    telegram_only = sender.messages(Reply("Scarf", photo=Media("photo", file_id="AgACAgQ")), "en", True)
    assert telegram_only == [{"body": "Scarf"}]  # Twilio cannot fetch a Telegram file: the text alone
    long_caption = sender.messages(Reply("x " * 700, photo=Media("photo", url="https://cdn.example/x.jpg")), "en",
                                   True)
    assert long_caption[0] == {"media_url": ["https://cdn.example/x.jpg"]} and "body" in long_caption[1]


def test_quick_reply_template_where_configured(sender: WhatsAppSender) -> None:
    two = Reply("Correct?", rows(Button("Yes", "quiz:1"), Button("No", "quiz:2")))
    [call] = sender.messages(two, "en", True)
    assert call["content_sid"] == "HXquick"
    assert json.loads(call["content_variables"]) == {"1": "Correct?", "2": "Yes", "3": "quiz:1", "4": "No",
                                                     "5": "quiz:2"}
    three = Reply("Pick", rows(Button("A", "a"), Button("B", "b"), Button("C", "c")))
    assert "body" in sender.messages(three, "en", True)[0]  # no 3-button template configured
    long_label = Reply("Pick", rows(Button("A label far too long for WhatsApp", "a"), Button("B", "b")))
    assert "body" in sender.messages(long_label, "en", True)[0]


def test_template_outside_the_window(sender: WhatsAppSender) -> None:
    [call] = sender.messages(Reply("News", kind="announcement", title="Fair"), "en", False)
    assert call == {"content_sid": "HXann", "content_variables": json.dumps({"1": "*Fair* News"})}
    from bot.types import Held

    with pytest.raises(Held):
        sender.messages(Reply("Hi", kind="reminder"), "en", False)


def test_templates_setting_must_be_a_json_object() -> None:
    assert parse_templates(None) == {}
    assert parse_templates('{"reminder": "HX1"}') == {"reminder": "HX1"}
    for bad in ("[1]", '{"reminder": 3}', "nope"):
        with pytest.raises(ValueError):
            parse_templates(bad)


def test_statuses_only_move_forward() -> None:
    assert moves_forward("sent", "delivered") and moves_forward("delivered", "read")
    assert not moves_forward("read", "delivered") and not moves_forward("delivered", "sent")
    assert moves_forward("sent", "failed") and moves_forward("queued", "undelivered")
    assert not moves_forward("read", "failed") and not moves_forward("failed", "delivered")
    assert not moves_forward("sent", "partially_delivered")


@pytest.fixture
async def channel(tmp_path: Path) -> AsyncIterator[tuple[WhatsAppChannel, FakeTwilioAPI]]:
    api = await FakeTwilioAPI().start()
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    settings = Settings(twilio_account_sid=api.account_sid, twilio_auth_token=api.auth_token,
                        twilio_whatsapp_from="whatsapp:+14155238886", twilio_api_url=api.url,
                        public_url="https://bot.example.org")
    core = ChannelCore(None, MediaStore(tmp_path / "media"), Deliveries(db), ManualClock())  # type: ignore[arg-type]
    chan = WhatsAppChannel(settings, core)
    yield chan, api
    await chan.stop()
    await db.close()
    await api.stop()


async def test_fetch_media_with_basic_auth_and_size_limit(channel: tuple[WhatsAppChannel, FakeTwilioAPI]) -> None:
    chan, api = channel
    api.media["photo.png"] = (PNG, "image/png")
    api.media["huge.jpg"] = (b"\xff\xd8\xff" + b"\0" * MAX_BYTES, "image/jpeg")
    data = await chan.fetch_media(Media("photo", url=f"{api.url}/media/photo.png", content_type="image/png"))
    assert data == PNG
    with pytest.raises(MediaRejected) as rejected:
        await chan.fetch_media(Media("photo", url=f"{api.url}/media/huge.jpg", content_type="image/jpeg"))
    assert rejected.value.reason == "size"
    with pytest.raises(MediaRejected):
        await chan.fetch_media(Media("voice", url=f"{api.url}/media/a.ogg", content_type="audio/ogg"))
    with pytest.raises(MediaRejected):
        await chan.fetch_media(Media("photo", file_id="AgAC"))
    # Credentials go only to Twilio's hosts (or the configured API base).
    assert chan._auth_for("https://api.twilio.com/2010-04-01/x")["Authorization"].startswith("Basic ")
    assert chan._auth_for("https://evil.example/x") == {}
