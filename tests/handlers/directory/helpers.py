"""What the directory's tests share: making someone a trainer, and writing a profile by chat (terminal)."""

from __future__ import annotations

from sqlalchemy import select, update

from bot.service import Service
from bot.types import Reply
from storage.directory import Profile
from storage.models import Address, User
from tests.driver import User as ChatUser
from tests.driver import text_of


async def set_role(service: Service, address: str, role: str) -> None:
    async with service.db.transaction() as session:
        row = (await session.scalars(select(Address).where(Address.address == address))).one()
        await session.execute(update(User).where(User.id == row.user_id).values(role=role))


async def profiles(service: Service) -> list[Profile]:
    async with service.db.read() as session:
        return list((await session.scalars(select(Profile).order_by(Profile.id))).all())


async def write_profile(user: ChatUser, *, name: str, story: str, place: str = "Ban Xang Khong, Luang Prabang",
                        crafts: tuple[str, ...] = ("weaving",), country: str = "LA",
                        public_contact: str | None = None) -> None:
    """The whole conversation on the terminal, up to the preview's "Send for review"."""
    await user.send(payload="dir:new")
    await user.send(payload="dir:kind:group")
    await user.say(name)
    for code in crafts:
        await user.send(payload=f"dir:craft:{code}")
    await user.send(payload="dir:craft:done")
    await user.send(payload="dir:skip")
    await user.say(story)
    await user.say(place)
    await user.send(payload=f"dir:country:{country}")
    await user.send(payload="dir:photos:skip")
    if public_contact is None:
        await user.send(payload="dir:ck:relay")
    else:
        await user.send(payload="dir:ck:public")
        await user.say(public_contact)
    await user.send(payload="dir:lang:lo")
    await user.send(payload="dir:lang:en")
    await user.send(payload="dir:lang:done")


def seen(replies: list[Reply]) -> str:
    """What a person sees of these replies: titles, texts and the buttons' labels."""
    return text_of(replies) + "\n" + " | ".join(b.label for r in replies for b in r.flat_buttons)
