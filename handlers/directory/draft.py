"""The profile conversation's moving parts (no routes of its own): asking each field of the draft with its
buttons, the preview, and saving the draft as a profile waiting for review.

The routes that use them are in ``create``.
"""

from __future__ import annotations

from typing import Any

from bot.context import Context
from bot.i18n import LANGUAGES, N_
from bot.types import Button, rows
from handlers.choices import COUNTRIES, CRAFTS, country_name, craft_name
from handlers.directory.actions import (
    APPROVE,
    CANCEL,
    CONFIRM,
    CONTACT_KIND,
    COUNTRY,
    CRAFT,
    EDIT,
    KEEP,
    KIND,
    LANGUAGE,
    MINE,
    PHOTOS_DONE,
    PHOTOS_SKIP,
    REJECT,
    SKIP,
)
from handlers.directory.common import (
    CONTACT_MAX,
    CRAFT_TEXT_MAX,
    FIELD_LABELS,
    FIELD_STEPS,
    FIELDS,
    KIND_LABELS,
    NAME_MAX,
    STORY_MAX,
    DirStep,
    card_text,
    home_button,
    is_moderator,
    new_slug,
    search_text,
    send_to_moderators,
)
from handlers.market.common import photo_media, province_key, split_place
from storage.directory import Profile, ProfileDraft, ProfileStatus, draft_of, profile_by_owner
from storage.market import load_photos

REVIEW_NOTE = N_("🆕 A directory profile waits for review.")


async def get_draft(ctx: Context) -> ProfileDraft | None:
    return await draft_of(ctx.session, ctx.user.id)


def set_field(ctx: Context, draft: ProfileDraft, **values: Any) -> None:
    data = dict(draft.data or {})
    data.update(values)
    draft.data = data
    draft.updated_at = ctx.now


def missing(data: dict[str, Any]) -> list[str]:
    return [f for f in FIELDS if f not in data]


def cancel_button(ctx: Context) -> Button:
    return Button(ctx._("Cancel"), CANCEL.encode())


def step_buttons(ctx: Context, draft: ProfileDraft, field: str) -> tuple[tuple[Button, ...], ...]:
    keep = (Button(ctx._("Keep as it is"), KEEP.encode()),) if draft.data.get(field) else ()
    return rows(*keep, cancel_button(ctx), width=2)


def again(ctx: Context, draft: ProfileDraft, field: str, text: str) -> None:
    ctx.reply(text, step_buttons(ctx, draft, field))


async def start(ctx: Context, profile: Profile | None = None) -> None:
    """A new draft, or one filled from the owner's profile (editing)."""
    draft = await get_draft(ctx)
    if draft is None:
        draft = ProfileDraft(user_id=ctx.user.id, data={}, updated_at=ctx.now)
        ctx.session.add(draft)
    if profile is not None:
        draft.data = {"profile_id": profile.id, "kind": profile.kind, "name": profile.name,
                      "crafts": list(profile.crafts or []), "craft_text": profile.craft_text, "story": profile.story,
                      "place": profile.location, "country": profile.country, "photos": list(profile.photos or []),
                      "contact": profile.contact, "public_contact": profile.public_contact,
                      "languages": list(profile.languages or [])}
        draft.updated_at = ctx.now
        await preview(ctx, draft)
        return
    draft.data = {}
    draft.updated_at = ctx.now
    ctx.reply(ctx._("Let's make your profile for the directory of artisans. You can leave at any time: your draft "
                    "is kept."))
    await ask(ctx, draft, "kind")


async def ask_next(ctx: Context, draft: ProfileDraft) -> None:
    todo = missing(draft.data)
    if todo:
        await ask(ctx, draft, todo[0])
    else:
        await preview(ctx, draft)


async def after_field(ctx: Context, draft: ProfileDraft) -> None:
    if ctx.data.get("one") and not missing(draft.data):
        await preview(ctx, draft)
    else:
        await ask_next(ctx, draft)


def toggles(ctx: Context, chosen: list[str], options: dict[str, str], action: Any) -> tuple[tuple[Button, ...], ...]:
    buttons = [Button(("✅ " if code in chosen else "") + label, action.encode(code))
               for code, label in options.items()]
    return rows(*buttons, width=2) + rows(Button(ctx._("Done"), action.encode("done")), cancel_button(ctx), width=2)


async def ask(ctx: Context, draft: ProfileDraft, field: str, *, one: bool = False) -> None:
    """Ask for one field. ``one``: editing a single field from the preview (then back to the preview)."""
    ctx.goto(FIELD_STEPS[field], one=one)
    data = draft.data
    tail = step_buttons(ctx, draft, field)
    if field == "kind":
        ctx.reply(ctx._("Is this profile for a person or for a group?"),
                  rows(*(Button(ctx._(label), KIND.encode(code)) for code, label in KIND_LABELS.items()))
                  + rows(cancel_button(ctx)))
    elif field == "name":
        ctx.reply(ctx._("What name should people see? (at most {max} characters)", max=NAME_MAX), tail)
    elif field == "crafts":
        options = {code: craft_name(code, ctx.t) for code in CRAFTS}
        ctx.reply(ctx._("Which crafts? Press each one that fits, then Done."),
                  toggles(ctx, list(data.get("crafts") or []), options, CRAFT))
    elif field == "craft_text":
        skip = rows(Button(ctx._("Skip"), SKIP.encode()), *tail[0], width=2)
        ctx.reply(ctx._("Describe your craft in your own words, e.g. “natural-dye silk weaving” (at most {max} "
                        "characters), or skip.", max=CRAFT_TEXT_MAX), skip)
    elif field == "story":
        ctx.reply(ctx._("Tell your story in a few sentences: who you are, what you make, what is special about it "
                        "(at most {max} characters).", max=STORY_MAX), tail)
    elif field == "place":
        ctx.reply(ctx._("Where are you? Write the town and province, e.g. “Ban Xang Khong, Luang Prabang”."), tail)
    elif field == "country":
        buttons = rows(*(Button(country_name(code, ctx.t), COUNTRY.encode(code)) for code in COUNTRIES), width=2)
        ctx.reply(ctx._("Which country?"), buttons + rows(cancel_button(ctx)))
    elif field == "photos":
        text = ctx._("Send up to {max} photos of your work or workshop, one at a time, then press Done. Or skip.",
                     max=3)
        ctx.goto(FIELD_STEPS[field], one=one, fresh=True)
        ctx.reply(text, photo_buttons(ctx, draft))
    elif field == "contact":
        ctx.reply(ctx._("How should people reach you?"),
                  rows(Button(ctx._("Through the bot (private)"), CONTACT_KIND.encode("relay")),
                       Button(ctx._("Show a public contact (phone, page, e-mail)"), CONTACT_KIND.encode("public")),
                       cancel_button(ctx)))
    elif field == "languages":
        options = {code: lang.native_name for code, lang in LANGUAGES.items()}
        ctx.reply(ctx._("Which languages do you speak? Press each one, then Done."),
                  toggles(ctx, list(data.get("languages") or []), options, LANGUAGE))


def ask_public_contact(ctx: Context, draft: ProfileDraft) -> None:
    ctx.goto(DirStep.PUBLIC_CONTACT, one=bool(ctx.data.get("one")))
    ctx.reply(ctx._("Type the contact to show to everyone (at most {max} characters).", max=CONTACT_MAX),
              step_buttons(ctx, draft, "public_contact"))


def photo_buttons(ctx: Context, draft: ProfileDraft) -> tuple[tuple[Button, ...], ...]:
    done = (Button(ctx._("Done"), PHOTOS_DONE.encode()),) if draft.data.get("photos") else ()
    return rows(*done, Button(ctx._("Skip photos"), PHOTOS_SKIP.encode()), cancel_button(ctx), width=2)


async def preview(ctx: Context, draft: ProfileDraft) -> None:
    ctx.goto(DirStep.PREVIEW)
    data = draft.data
    photos = [m for p in await load_photos(ctx.session, data.get("photos") or [])
              if (m := photo_media(p, ctx.msg.channel))]
    text = card_text(ctx.t, data) + "\n\n" + contact_line(ctx, data)
    ctx.reply(ctx._("Here is your profile as people will see it:"))
    ctx.reply(text, photo=photos[0] if photos else None, title=data.get("name"))
    label = ctx._("Save changes") if data.get("profile_id") else ctx._("Send for review")
    ctx.reply(ctx._("Send it, change something, or cancel?"),
              rows(Button(label, CONFIRM.encode()), Button(ctx._("Edit"), EDIT.encode()), cancel_button(ctx),
                   width=2))


def field_menu(ctx: Context) -> None:
    ctx.reply(ctx._("What do you want to change?"),
              rows(*(Button(ctx._(FIELD_LABELS[f]), EDIT.encode(f)) for f in FIELDS), width=2)
              + rows(Button(ctx._("Back to the preview"), KEEP.encode()), cancel_button(ctx), width=2))


def contact_line(ctx: Context, data: dict[str, Any]) -> str:
    if data.get("contact") == "public" and data.get("public_contact"):
        return ctx._("Contact: {contact}", contact=data["public_contact"])
    return ctx._("Contact: messages through the bot (your number stays private)")


async def save(ctx: Context, draft: ProfileDraft) -> Profile:
    """The draft as a profile: new, or the owner's profile changed; waiting for review unless a moderator
    wrote it."""
    data = draft.data
    profile = await profile_by_owner(ctx.session, ctx.user.id)
    if profile is None:
        profile = Profile(owner_id=ctx.user.id, slug=await new_slug(ctx.session, data["name"]), created_at=ctx.now,
                          public=False)
        ctx.session.add(profile)
    place = data["place"]
    profile.kind, profile.name = data["kind"], data["name"]
    profile.crafts, profile.craft_text = list(data["crafts"]), data.get("craft_text") or ""
    profile.story = data["story"]
    profile.location, profile.country = place, data["country"]
    profile.province = split_place(place)[:100]
    profile.province_key = province_key(profile.province)
    profile.photos = list(data.get("photos") or [])
    profile.contact = data["contact"]
    profile.public_contact = data.get("public_contact") or "" if data["contact"] == "public" else ""
    profile.languages = list(data.get("languages") or [])
    profile.language = ctx.user.language or "en"
    profile.search_text = search_text(profile)
    profile.status = ProfileStatus.ACTIVE if is_moderator(ctx) else ProfileStatus.PENDING
    if is_moderator(ctx):  # their own profile: approved by themselves
        profile.moderator_id, profile.moderated_at = ctx.user.id, ctx.now
    profile.reject_reason = None
    profile.updated_at = ctx.now
    await ctx.session.flush()
    await ctx.session.delete(draft)
    ctx.goto(None)
    if profile.status == ProfileStatus.ACTIVE:
        ctx.reply(ctx._("Your profile “{name}” is in the directory.", name=profile.name),
                  rows(Button(ctx._("My directory profile"), MINE.encode()), home_button(ctx), width=2))
        return profile

    def buttons(t: Any) -> tuple[tuple[Button, ...], ...]:
        return rows(Button(t.gettext("Approve"), APPROVE.encode(profile.id)),
                    Button(t.gettext("Reject"), REJECT.encode(profile.id)), width=2)

    await send_to_moderators(ctx, profile, REVIEW_NOTE, buttons)
    ctx.reply(ctx._("Thank you! Your profile “{name}” was sent for review. I will tell you when it is in the "
                    "directory.", name=profile.name),
              rows(Button(ctx._("My directory profile"), MINE.encode()), home_button(ctx), width=2))
    return profile
