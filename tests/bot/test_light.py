"""bot.light: light copies for the data saver, the platform's photo limit, the size note."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from bot import light as light_module
from bot.i18n import translator
from bot.light import FULL_KIND, LIGHT_BYTES, LIGHT_PIXELS, Light, derived_key, encode
from bot.media import MediaStore
from bot.types import Button, Media, Reply
from tests.fakes.photos import photo

EN = translator("en")


@pytest.fixture
def store(tmp_path: Path) -> MediaStore:
    return MediaStore(tmp_path / "media")


def size_of(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as picture:
        return picture.size


def test_encode_makes_a_small_jpeg_within_the_pixels() -> None:
    data = photo()
    small = encode(data, LIGHT_BYTES, LIGHT_PIXELS)
    assert small is not None and small.startswith(b"\xff\xd8") and len(small) <= LIGHT_BYTES
    assert max(size_of(small)) <= LIGHT_PIXELS
    assert encode(b"not a picture", LIGHT_BYTES, LIGHT_PIXELS) is None


def test_encode_flattens_transparent_png() -> None:
    out = io.BytesIO()
    Image.new("RGBA", (900, 300), (200, 10, 10, 0)).save(out, "PNG")
    small = encode(out.getvalue(), LIGHT_BYTES, LIGHT_PIXELS)
    assert small is not None and size_of(small) == (640, 213)


def test_data_saver_sends_the_light_copy_and_says_how_to_get_the_full_one(store: MediaStore) -> None:
    data = photo()
    key = store.save(data)
    reply = Reply("Silk scarf", rows := ((Button("Contact", "market:contact:1"),),), photo=Media("photo", key=key))
    shaped = Light(store).shape(reply, channel="telegram", saver=True, t=EN, row_id=7, button=True)
    assert shaped.photo is not None and shaped.photo.key == derived_key(key, "light")
    light_path = store.path(shaped.photo.key)
    assert light_path is not None and light_path.stat().st_size <= LIGHT_BYTES
    assert shaped.text.startswith("Silk scarf\n\nLight photo (")
    assert f"Full photo: {round(len(data) / 1024)} KB, send /photo" in shaped.text
    assert shaped.buttons[:1] == rows and shaped.buttons[1][0].payload == "photo:full:7"
    # made once: the second time the stored copy is used
    mtime = light_path.stat().st_mtime_ns
    again = Light(store).shape(reply, channel="whatsapp", saver=True, t=EN, row_id=8, button=False)
    assert again.photo == shaped.photo and light_path.stat().st_mtime_ns == mtime
    assert again.buttons == rows  # numbered-menu channels: no button the typed numbers would not know


def test_without_data_saver_the_photo_is_kept_and_its_size_stated(store: MediaStore) -> None:
    data = photo()
    key = store.save(data)
    reply = Reply("", photo=Media("photo", file_id="AgAD-telegram", key=key))
    shaped = Light(store).shape(reply, channel="telegram", saver=False, t=EN)
    assert shaped.photo == reply.photo  # Telegram re-uses its own file
    assert shaped.text == f"Photo: {round(len(data) / 1024)} KB"
    asked = Light(store).shape(Reply("", photo=Media("photo", key=key), kind=FULL_KIND), channel="telegram",
                               saver=True, t=EN)
    assert asked.photo == Media("photo", key=key) and "Photo:" in asked.text  # asked for in full: not lightened


def test_small_photos_are_left_alone(store: MediaStore) -> None:
    key = store.save(encode(photo(400, 300), LIGHT_BYTES, 400) or b"")
    reply = Reply("Bowl", photo=Media("photo", key=key))
    assert Light(store).shape(reply, channel="whatsapp", saver=True, t=EN) == reply
    assert Light(store).shape(Reply("no photo"), channel="whatsapp", saver=True, t=EN) == Reply("no photo")


def test_never_over_the_platform_limit(store: MediaStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(light_module.PHOTO_LIMITS, "whatsapp", 200 * 1024)
    key = store.save(photo(grain=60))
    assert (store.path(key) or Path()).stat().st_size > 200 * 1024
    shaped = Light(store).shape(Reply("Pot", photo=Media("photo", key=key)), channel="whatsapp", saver=False, t=EN)
    assert shaped.photo is not None and shaped.photo.key == derived_key(key, "fit")
    assert shaped.photo.size is not None and shaped.photo.size <= 200 * 1024
    # a photo we do not hold, known to be too big: left out, said so
    remote = Reply("Pot", photo=Media("photo", url="https://example.org/p.jpg", size=300 * 1024))
    dropped = Light(store).shape(remote, channel="whatsapp", saver=False, t=EN)
    assert dropped.photo is None and "too large to send here" in dropped.text and dropped.text.startswith("Pot")


def test_size_note_in_the_users_language(store: MediaStore) -> None:
    key = store.save(photo())
    shaped = Light(store).shape(Reply("", photo=Media("photo", key=key)), channel="telegram", saver=False,
                                t=translator("my"))
    assert any("\u1040" <= ch <= "\u1049" for ch in shaped.text)  # Burmese digits
