"""``/admin/people`` (admins only): grant and revoke roles, one-time invite codes that work in chat, ending
another person's console sessions; one audit row per action; trainers get 403."""

from __future__ import annotations

import re

from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.service import Service
from storage.announcements import TrainerInvite
from storage.audit import AuditEntry
from storage.models import Role, User
from tests.console.conftest import Person, user_id_of
from tests.console.hostile import NAME, assert_escaped
from tests.console.test_security import session_cookie
from tests.driver import text_of

ADMIN_ROUTES = [("GET", "/admin/people"), ("POST", "/admin/people/grant"), ("POST", "/admin/people/invite"),
                ("POST", "/admin/people/{id}/role"), ("POST", "/admin/people/{id}/sessions"),
                ("GET", "/admin/audit"), ("GET", "/admin/audit.csv")]


async def role_of(service: Service, user_id: int) -> str:
    async with service.db.read() as session:
        user = await session.get(User, user_id)
        assert user is not None
        return user.role


async def audit(service: Service) -> list[tuple[str, str | None]]:
    async with service.db.read() as session:
        return [(r.action, r.target) for r in (await session.scalars(select(AuditEntry).order_by(AuditEntry.id)))]


async def admin(service: Service, person: Person) -> tuple[dict[str, str], str, int]:
    await person("terminal:ada", Role.ADMIN, name="Ada")
    uid = await user_id_of(service, "terminal:ada")
    cookie, csrf = await session_cookie(service, uid)
    return {"Cookie": cookie}, csrf, uid


async def test_trainers_get_403_on_admin_routes(console: TestClient, service: Service, person: Person) -> None:
    await person("terminal:tom", Role.TRAINER, name="Tom")
    tom = await user_id_of(service, "terminal:tom")
    cookie, csrf = await session_cookie(service, tom)
    for method, path in ADMIN_ROUTES:
        url = path.replace("{id}", str(tom))
        response = await (console.get(url, headers={"Cookie": cookie}, allow_redirects=False) if method == "GET"
                          else console.post(url, headers={"Cookie": cookie}, data={"csrf": csrf, "role": "admin",
                                                                                   "channel": "terminal",
                                                                                   "address": "tom"},
                                            allow_redirects=False))
        assert response.status == 403, f"{method} {url}"
    assert await role_of(service, tom) == Role.TRAINER and await audit(service) == []
    menu = await (await console.get("/admin", headers={"Cookie": cookie})).text()
    assert 'href="/admin/people"' not in menu and 'href="/admin/audit"' not in menu
    assert 'href="/admin/listings"' in menu and 'href="/admin/inbox"' in menu


async def test_grant_make_admin_and_revoke(console: TestClient, service: Service, person: Person) -> None:
    headers, csrf, ada = await admin(service, person)
    await person("terminal:evil", Role.LEARNER, name=NAME)
    evil = await user_id_of(service, "terminal:evil")
    bad = await console.post("/admin/people/grant", headers=headers, allow_redirects=False,
                             data={"csrf": csrf, "channel": "telegram", "address": "whatsapp:+123", "role": "trainer"})
    assert "done=address" in bad.headers["Location"]
    granted = await console.post("/admin/people/grant", headers=headers, allow_redirects=False,
                                 data={"csrf": csrf, "channel": "terminal", "address": "evil", "role": "trainer"})
    assert granted.headers["Location"] == f"/admin/people?done=granted&n={evil}"
    assert await role_of(service, evil) == Role.TRAINER
    page = await (await console.get("/admin/people", headers=headers)).text()
    assert f'id="person-{evil}"' in page and "Person #" in await (
        await console.get(granted.headers["Location"], headers=headers)).text()
    assert_escaped(page, "people", img=False)

    evil_cookie, _ = await session_cookie(service, evil)
    assert (await console.get("/admin", headers={"Cookie": evil_cookie})).status == 200
    await console.post(f"/admin/people/{evil}/role", headers=headers, data={"csrf": csrf, "role": "admin"})
    assert await role_of(service, evil) == Role.ADMIN
    revoked = await console.post(f"/admin/people/{evil}/role", headers=headers, allow_redirects=False,
                                 data={"csrf": csrf, "role": "learner"})
    assert "done=revoked" in revoked.headers["Location"] and await role_of(service, evil) == Role.LEARNER
    gone = await console.get("/admin", headers={"Cookie": evil_cookie}, allow_redirects=False)
    assert gone.status == 303  # revoking also ended their console sessions
    selfish = await console.post(f"/admin/people/{ada}/role", headers=headers, allow_redirects=False,
                                 data={"csrf": csrf, "role": "learner"})
    assert "done=self" in selfish.headers["Location"] and await role_of(service, ada) == Role.ADMIN
    new = await console.post("/admin/people/grant", headers=headers, allow_redirects=False,
                             data={"csrf": csrf, "channel": "whatsapp", "address": "+856 20 5550 0000",
                                   "role": "trainer"})
    newcomer = int(re.search(r"n=(\d+)", new.headers["Location"]).group(1))  # type: ignore[union-attr]
    assert await role_of(service, newcomer) == Role.TRAINER
    target = f"user:{evil}"
    assert await audit(service) == [("role.grant", target), ("role.grant", target), ("role.revoke", target),
                                    ("role.grant", f"user:{newcomer}")]


async def test_invite_code_shown_once_works_in_chat(console: TestClient, service: Service, person: Person) -> None:
    headers, csrf, _ = await admin(service, person)
    response = await console.post("/admin/people/invite", headers=headers, data={"csrf": csrf, "role": "trainer",
                                                                                 "days": "3"})
    body = await response.text()
    assert response.status == 200 and response.headers["Cache-Control"] == "no-store"
    code = re.search(r'id="invite-code">([A-Z0-9-]+)<', body)
    assert code
    async with service.db.read() as session:
        [invite] = (await session.scalars(select(TrainerInvite))).all()
    assert code.group(1) not in invite.code_hash and (invite.expires_at - invite.created_at).days == 3
    assert code.group(1) not in await (await console.get("/admin/people", headers=headers)).text()
    newcomer = await person("terminal:kham", Role.LEARNER, name="Kham")
    replies = await newcomer.say(f"/trainer {code.group(1)}")
    assert "Welcome, trainer" in text_of(replies)
    assert await role_of(service, await user_id_of(service, "terminal:kham")) == Role.TRAINER
    assert await audit(service) == [("invite.create", f"invite:{invite.id}")]


async def test_end_another_persons_sessions(console: TestClient, service: Service, person: Person) -> None:
    headers, csrf, ada = await admin(service, person)
    await person("terminal:tom", Role.TRAINER, name="Tom")
    tom = await user_id_of(service, "terminal:tom")
    tom_cookie, _ = await session_cookie(service, tom)
    await session_cookie(service, tom)  # signed in on a second device too
    page = await (await console.get("/admin/people", headers=headers)).text()
    assert f'id="end-{tom}"' in page and f'id="end-{ada}"' not in page
    ended = await console.post(f"/admin/people/{tom}/sessions", headers=headers, allow_redirects=False,
                               data={"csrf": csrf})
    assert "done=ended" in ended.headers["Location"]
    assert (await console.get("/admin", headers={"Cookie": tom_cookie}, allow_redirects=False)).status == 303
    assert await role_of(service, tom) == Role.TRAINER  # still a trainer: they sign in again with /web
    async with service.db.read() as session:
        [row] = (await session.scalars(select(AuditEntry))).all()
    assert (row.action, row.target, row.actor_id, row.detail) == ("session.end", f"user:{tom}", ada,
                                                                  '{"sessions_ended": 2}')
