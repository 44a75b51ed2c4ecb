"""Writing the audit log from a console page: who (the signed-in person), from where (the browser's
address), what and on which record, in the same transaction as the action (``storage.audit.record``)."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console.auth import CONSOLE, VISITOR, Visitor
from storage.audit import AuditEntry, record


async def audited(request: web.Request, session: AsyncSession, action: str, target: str | None = None,
                  **detail: Any) -> AuditEntry:
    """Record one console action by the request's visitor (call it inside the action's transaction)."""
    visitor: Visitor | None = request.get(VISITOR)
    return await record(session, at=request.app[CONSOLE].clock.now(),
                        actor_id=visitor.user.id if visitor else None,
                        actor=(visitor.user.name or f"user {visitor.user.id}") if visitor else "anonymous",
                        action=action, target=target, address=request.remote, detail=detail or None)
