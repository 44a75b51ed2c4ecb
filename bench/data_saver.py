"""Bytes a person receives per lesson and per listing browse, with and without the data saver.

Run from the repository root: ``.venv/bin/python bench/data_saver.py [--language lo] [--out FILE]``.

Builds the replies the way the bot does (``handlers.lessons.course.lesson_reply`` for each lesson of the
first course of the real content library, with one photo; a browse page of ``PAGE`` listing cards, each
with its first photo, then the list message) and sends every one through ``bot.light.Light.shape``, the
step every outgoing photo takes in ``LightSender``. Counted: the UTF-8 bytes of text and button labels and
the bytes of each photo file as sent. Photos: generated photo-like JPEGs the size of a phone camera's
(1600×1200, ~550 KB) and of what Telegram keeps of a photo (1280×960, quality 80). Platform overhead
(headers, TLS, WhatsApp's own recompression) is not counted: the same in both columns.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import _root  # noqa: F401  (this checkout first on sys.path)

from bot.i18n import translator
from bot.light import Light
from bot.media import MediaStore
from bot.types import Button, Media, Reply, rows
from content import load_library
from handlers.lessons.course import lesson_reply
from handlers.market.common import PAGE, card_text
from tests.fakes.photos import photo

PHOTOS = {"phone photo 1600×1200": (1600, 1200, 90), "Telegram-sized 1280×960": (1280, 960, 80)}


def reply_bytes(reply: Reply, store: MediaStore) -> int:
    text = len(reply.text.encode()) + sum(len(b.label.encode()) for b in reply.flat_buttons)
    if reply.photo is None or reply.photo.key is None:
        return text
    path = store.path(reply.photo.key)
    return text + (path.stat().st_size if path else 0)


def measure(language: str, profile: tuple[int, int, int], store: MediaStore) -> dict[str, tuple[int, int]]:
    t = translator(language)
    library, _ = load_library(Path("content"))
    course = library.ordered_courses()[0]
    width, height, quality = profile
    light = Light(store)
    results: dict[str, tuple[int, int]] = {}
    lesson_keys = [store.save(photo(width, height, quality=quality, grain=30 + i)) for i in range(len(course.lessons))]
    lessons = [lesson_reply(t, course, i, Media("photo", key=lesson_keys[i]), False)
               for i in range(len(course.lessons))]
    listing_keys = [store.save(photo(width, height, quality=quality, grain=45 + i)) for i in range(PAGE)]
    cards = [Reply(card_text(t, price="150000", currency="LAK", category="weaving", location="Luang Prabang",
                             country="LA", description="Hand-woven silk scarf, natural indigo dye, 180 × 50 cm."),
                   photo=Media("photo", key=key), title="Silk scarf") for key in listing_keys]
    page = [*cards, Reply(t.gettext("{first}–{last} of {total}. Choose one to see more or contact the seller.",
                                    first=1, last=PAGE, total=40),
                          rows(*(Button("Silk scarf", f"market:v:{i}") for i in range(PAGE)),
                               Button(t.gettext("More"), "market:b:x"), Button(t.gettext("Main menu"), "menu:home")))]
    for name, replies in (("per lesson", lessons), ("per listing browse page", page)):
        counts = []
        for saver in (False, True):
            total = sum(reply_bytes(light.shape(r, channel="whatsapp", saver=saver, t=t, row_id=1), store)
                        for r in replies)
            counts.append(total // (len(replies) if name == "per lesson" else 1))
        results[name] = (counts[0], counts[1])
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--language", default="lo")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    lines = [f"Bytes received (text + photos), language {args.language}, {PAGE} listings a browse page", "",
             "| photos | what | data saver off | data saver on | saved |", "| --- | --- | ---: | ---: | ---: |"]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        store = MediaStore(Path(folder))
        for label, profile in PHOTOS.items():
            for what, (off, on) in measure(args.language, profile, store).items():
                lines.append(f"| {label} | {what} | {off / 1024:,.1f} KB | {on / 1024:,.1f} KB | "
                             f"{100 * (1 - on / off):.0f} % |")
    lines += ["", f"({time.perf_counter() - started:.1f} s, light copies made and cached on the way)"]
    table = "\n".join(lines)
    print(table)
    if args.out:
        args.out.write_text(table + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
