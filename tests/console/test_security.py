"""The console's guard: the route table (every /admin route declares its role, walked as anonymous,
learner, trainer and admin), CSRF on every POST, the security headers, and escaping of user text."""

from __future__ import annotations

import re
import secrets

from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.console.app import PREFIX, console_app
from bot.console.auth import ADMIN, COOKIE, PUBLIC, SECURITY_HEADERS, TRAINER, role_of
from bot.console.links import hash_token
from bot.service import Service
from storage.models import Role
from storage.sessions import add_session
from tests.console.conftest import Person, set_role, user_id_of

ROLES = (None, Role.LEARNER, Role.TRAINER, Role.ADMIN)


def admin_routes(app: web.Application) -> list[tuple[str, str, object]]:
    """(method, full path, handler) of every route of the app under /admin, sub-apps included."""
    found: list[tuple[str, str, object]] = []
    for resource in app.router.resources():
        info = resource.get_info()
        if "app" in info:  # a mounted sub-app (its paths already carry the prefix)
            found.extend(admin_routes(info["app"]))
            continue
        for route in resource:
            path = info.get("path") or info.get("formatter") or ""
            found.append((route.method, path, route.handler))
    return [r for r in found if r[1].startswith(PREFIX)]


def undeclared(app: web.Application) -> list[str]:
    return [f"{m} {p}" for m, p, h in admin_routes(app) if m != "HEAD" and role_of(h) is None]


async def session_cookie(service: Service, user_id: int) -> tuple[str, str]:
    token, csrf = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    async with service.db.transaction() as session:
        add_session(session, hash_token(token), user_id, csrf, service.clock.now(), "test")
    return f"{COOKIE}={token}", csrf


async def test_every_admin_route_declares_a_role_and_an_undeclared_one_is_caught(service: Service) -> None:
    from tests.console.conftest import console_web_app

    app = console_web_app(service)
    routes = admin_routes(app)
    assert len(routes) >= 10
    assert undeclared(app) == []
    sub = console_app(service.db, service.settings, service.clock)

    async def sneaky(request: web.Request) -> web.Response:
        return web.Response(text="secret")

    sub.router.add_get("/sneaky", sneaky)
    outer = web.Application()
    outer.add_subapp(PREFIX, sub)
    assert undeclared(outer) == ["GET /admin/sneaky"]


async def test_sneaky_undeclared_route_is_refused(service: Service) -> None:
    from aiohttp.test_utils import TestServer

    sub = console_app(service.db, service.settings, service.clock)

    async def sneaky(request: web.Request) -> web.Response:
        return web.Response(text="secret")

    sub.router.add_get("/sneaky", sneaky)
    outer = web.Application()
    outer.add_subapp(PREFIX, sub)
    async with TestClient(TestServer(outer)) as client:
        response = await client.get("/admin/sneaky")
        assert response.status == 403 and "secret" not in await response.text()


async def test_route_table_walked_as_each_role(console: TestClient, service: Service, person: Person) -> None:
    from tests.console.conftest import console_web_app

    people = {}
    for role in ROLES[1:]:
        address = f"terminal:{role}"
        await person(address, role, name=f"N{role}")
        people[role] = await user_id_of(service, address)
    learner_id = people[Role.LEARNER]
    cookies = {role: await session_cookie(service, uid) for role, uid in people.items()}
    # The routes that end something (erasing the learner, signing out) go last, so every other route meets
    # the learner and the sessions still there.
    fill = {"id": str(learner_id), "token": "x" * 20}  # path parameters; any other gets a made-up code
    routes = sorted(admin_routes(console_web_app(service)), key=lambda r: (r[1] == "/admin/logout", "erase" in r[1]))
    for method, path, handler in routes:
        if method == "HEAD":
            continue
        url = re.sub(r"\{(\w+)(?::[^}]*)?\}", lambda m: fill.get(m.group(1), "ABC234"), path)
        declared = role_of(handler)
        for role in ROLES:
            cookie, csrf = cookies[role] if role else ("", "")
            headers = {"Cookie": cookie} if cookie else {}
            if method == "GET":
                response = await console.get(url, headers=headers, allow_redirects=False)
            else:
                response = await console.post(url, data={"csrf": csrf}, headers=headers, allow_redirects=False)
            allowed = declared == PUBLIC or (declared == TRAINER and role in (Role.TRAINER, Role.ADMIN)) or (
                declared == ADMIN and role == Role.ADMIN)
            where = f"{method} {url} as {role}"
            if allowed:  # let through (a record the walk made up may be missing, a bare POST incomplete)
                assert response.status < 400 or response.status in (400, 404, 409) or (
                    method == "POST" and declared == PUBLIC), where
                assert response.headers.get("Location") != "/admin/signin", where
            elif role in (None, Role.LEARNER):
                assert response.status == 303 and response.headers["Location"] == "/admin/signin", where
                assert "Noy" not in await response.text()
            else:
                assert response.status == 403, where
            for name, value in SECURITY_HEADERS.items():
                assert response.headers.get(name) == value or name == "Cache-Control", where
            await response.release()


async def test_post_without_or_with_a_wrong_csrf_token_is_403(console: TestClient, service: Service,
                                                               person: Person) -> None:
    await person("terminal:tina", Role.TRAINER)
    cookie, csrf = await session_cookie(service, await user_id_of(service, "terminal:tina"))
    for data in ({}, {"csrf": "wrong"}, {"csrf": csrf[:-1]}):
        response = await console.post("/admin/logout", data=data, headers={"Cookie": cookie}, allow_redirects=False)
        assert response.status == 403
    assert (await console.get("/admin", headers={"Cookie": cookie}, allow_redirects=False)).status == 200
    ok = await console.post("/admin/logout", data={"csrf": csrf}, headers={"Cookie": cookie}, allow_redirects=False)
    assert ok.status == 200


async def test_headers_forbid_inline_script_and_framing(console: TestClient) -> None:
    response = await console.get("/admin/signin")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp
    assert "script-src" not in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "<script" not in await response.text()
    missing = await console.get("/admin/no-such-page")
    assert missing.status == 404 and missing.headers["Referrer-Policy"] == "no-referrer"


async def test_hostile_learner_name_is_escaped(console: TestClient, service: Service, person: Person) -> None:
    hostile = "<script>alert(1)</script>"
    await person("terminal:evil", Role.LEARNER, name=hostile)
    evil_id = await user_id_of(service, "terminal:evil")
    await person("terminal:tina", Role.TRAINER)
    cookie, _ = await session_cookie(service, await user_id_of(service, "terminal:tina"))
    for url in ("/admin/learners", f"/admin/learners/{evil_id}", "/admin/learners?q=%3Cscript%3E"):
        body = await (await console.get(url, headers={"Cookie": cookie})).text()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body, url
        assert "<script" not in body, url


async def test_admin_role_also_reaches_trainer_pages(console: TestClient, service: Service, person: Person) -> None:
    await person("terminal:ada", Role.TRAINER, name="Ada")
    uid = await user_id_of(service, "terminal:ada")
    await set_role(service, uid, Role.ADMIN)
    cookie, _ = await session_cookie(service, uid)
    assert (await console.get("/admin/report", headers={"Cookie": cookie})).status == 200
    assert re.search(r"Periodic report", await (await console.get("/admin", headers={"Cookie": cookie})).text())
