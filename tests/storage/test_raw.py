"""Statements on the driver (storage.raw) read and write exactly what the ORM does, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from storage.db import Database
from storage.lessons import progress_of, start_course
from storage.models import Address, LessonProgress, Outbox, User
from storage.raw import Query, Sql, in_session, sqlite_time
from storage.users import get_or_create

MOMENT = datetime(2026, 12, 6, 7, 5, 3, 120, tzinfo=UTC)


def test_placeholders_follow_the_text() -> None:
    sql = Sql("UPDATE t SET a = :a, b = :b WHERE id = :id AND a <> :a")
    assert sql.pg == "UPDATE t SET a = $1, b = $2 WHERE id = $3 AND a <> $1"
    assert sql.args({"id": 7, "a": 1, "b": MOMENT}, True) == (1, MOMENT, 7)
    assert sql.args({"id": 7, "a": 1, "b": MOMENT}, False) == {"a": 1, "b": "2026-12-06 07:05:03.000120", "id": 7}
    q = Query(postgres=False)
    q.sql = f"x = {q.p(1)} AND y {q.in_(['a', 'b'])} AND z {q.in_([])}"
    assert (q.sql, q.args) == ("x = ? AND y IN (?, ?) AND z IN (NULL)", [1, "a", "b"])
    q = Query(postgres=True)
    q.sql = f"x = {q.p(1)} AND y {q.in_(['a', 'b'])}"
    assert (q.sql, q.args) == ("x = $1 AND y = ANY($2)", [1, ["a", "b"]])
    assert sqlite_time(MOMENT) == "2026-12-06 07:05:03.000120"


async def test_rows_written_on_the_driver_read_back_through_the_orm(db: Database) -> None:
    async with db.transaction() as s:
        user = User(step_data={}, menu=[], profile={})
        s.add(user)
        await s.flush()
        raw = await in_session(s)
        await raw.run(Sql("INSERT INTO outbox (user_id, channel, address, kind, body, status, attempts, "
                          "next_attempt_at, created_at) VALUES (:u, 'terminal', 'terminal:a', 'reply', :body, "
                          "'pending', 0, :at, :at)"), {"u": user.id, "body": {"text": "ສະບາຍດີ"}, "at": MOMENT})
    async with db.read() as s:
        row = (await s.scalars(select(Outbox))).one()
        assert (row.body, row.next_attempt_at, row.created_at) == ({"text": "ສະບາຍດີ"}, MOMENT, MOMENT)
    async with db.raw() as raw:  # and the ORM's rows compare as equal text / timestamps on the driver
        q = Query(raw.postgres)
        q.sql = f"SELECT count(*) FROM outbox WHERE next_attempt_at <= {q.p(MOMENT)} AND created_at = {q.p(MOMENT)}"
        assert (await raw.fetch(q.sql, q.args))[0][0] == 1


async def test_a_raw_transaction_rolls_back_on_error(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.raw() as raw:
            await raw.run("UPDATE users SET name = 'x'")
            await raw.run("INSERT INTO seen_messages (channel, external_id, seen_at) "
                          "VALUES ('t', '1', '2026-01-01 00:00:00.000000')" if not raw.postgres else
                          "INSERT INTO seen_messages (channel, external_id, seen_at) VALUES ('t', '1', now())")
            raise RuntimeError("stop")
    async with db.raw() as raw:
        assert (await raw.fetch("SELECT count(*) FROM seen_messages"))[0][0] == 0


async def test_loaded_objects_behave_as_the_orms(db: Database) -> None:
    async with db.transaction() as s:
        user, address, created = await get_or_create(s, "terminal", "terminal:ana")
        assert created
        s.add(Address(user_id=user.id, channel="telegram", address="telegram:5"))
    async with db.transaction() as s:  # a fresh session: the user and both addresses from one driver query
        user, address, created = await get_or_create(s, "telegram", "telegram:5")
        assert not created and address.user is user and user in s and not s.dirty
        assert sorted(a.address for a in user.addresses) == ["telegram:5", "terminal:ana"]
        assert user.created_at.tzinfo is UTC and user.menu == [] and user.onboarded is False
        user.name = "Ana"  # an ordinary persistent object: changes are flushed at commit
        start_course(s, user.id, "basics", MOMENT)  # pending: a read flushes it first, as the ORM's would
        progress = await progress_of(s, user.id, "basics")
        assert progress is not None and progress.started_at == MOMENT
        assert await progress_of(s, user.id, "basics") is progress  # the one the session holds
        progress.next_lesson = 2
    async with db.read() as s:
        assert (await s.scalars(select(User.name))).one() == "Ana"
        assert (await s.scalars(select(LessonProgress.next_lesson))).one() == 2


async def test_the_load_with_the_last_contact_and_the_menu_with_the_replies(db: Database) -> None:
    from storage.outbox import insert_messages
    from storage.users import note_inbound, remember_menu

    async with db.transaction() as s:
        await get_or_create(s, "telegram", "telegram:7")
    async with db.transaction() as s:  # as the engine does for every message
        user, address, _ = await get_or_create(s, "telegram", "telegram:7", inbound_at=MOMENT)
        await note_inbound(s, address, MOMENT, username="ana")
        assert (address.last_inbound_at, address.username) == (MOMENT, "ana") and not s.dirty
        await insert_messages(s, [(user.id, "telegram", "telegram:7", "reply", {"text": "a"}),
                                  (user.id, "telegram", "telegram:7", "reply", {"text": "b"})],
                              now=MOMENT, menu=(user.id, [["Next", "next"]]))
        await remember_menu(s, user, [["Next", "next"]], written=True)
        assert not s.dirty
    async with db.read() as s:
        row = (await s.execute(select(Address.last_inbound_at, Address.username))).one()
        assert tuple(row) == (MOMENT, "ana")
        assert (await s.scalars(select(User.menu))).one() == [["Next", "next"]]
        assert [o.body["text"] for o in (await s.scalars(select(Outbox).order_by(Outbox.id))).all()] == ["a", "b"]


async def test_results_without_a_transaction_are_written_all_or_nothing(db: Database) -> None:
    from storage.outbox import write_results

    async with db.transaction() as s:
        user, _, _ = await get_or_create(s, "telegram", "telegram:8")
        s.add_all([Outbox(user_id=user.id, channel="telegram", address="telegram:8", kind="reply", body={},
                          status="sending", attempts=0, next_attempt_at=MOMENT, created_at=MOMENT)
                   for _ in range(2)])
    async with db.read() as s:
        first, second = (await s.scalars(select(Outbox.id).order_by(Outbox.id))).all()
    async with db.raw(begin=False) as raw:  # one row: one plain statement
        await write_results(raw, [{"id": first, "status": "sent", "attempts": 1}], [])
    if not db.is_sqlite:  # (SQLite begins a transaction either way, and its columns take any value)
        import asyncpg

        with pytest.raises((ValueError, asyncpg.PostgresError)):  # asyncpg refuses the argument
            async with db.raw(begin=False) as raw:  # two sets of columns and a failing one: none written
                bad = {"id": second, "status": "failed", "error": "x", "attempts": "not a number"}
                await write_results(raw, [{"id": second, "status": "sent", "attempts": 1}, bad], [])
    async with db.read() as s:
        assert (await s.scalars(select(Outbox.status).order_by(Outbox.id))).all() == ["sent", "sending"]
