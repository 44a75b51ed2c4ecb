"""``/profile`` ("My profile" in the menu): what the person told us at onboarding (name, craft, country) and
the two optional answers used only for anonymous programme reports (sex, age band), each changed with a
button; a typed answer works too, as in onboarding. An optional answer can be removed again.

Payloads: ``profile:show``, ``profile:edit:<field>``, ``profile:set:<field>:<code>`` (``none`` removes an
optional answer).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from bot.context import Context
from bot.demographics import CHOICES, label
from bot.i18n import N_
from bot.payloads import Action
from bot.router import Command, Onboarded, Router
from bot.types import Button, rows
from handlers.choices import COUNTRIES, COUNTRY_TIMEZONE, CRAFTS, country_name, craft_name, typed_country, typed_craft
from handlers.data_saver import SHOW as SAVER
from handlers.data_saver import state_line
from handlers.demographics import SKIP, Buttons, optional_buttons, typed_optional
from handlers.menu import HOME, add_item
from handlers.onboarding import answered, read_name, typed

router = Router("profile")

SHOW = Action("profile:show")
EDIT = Action("profile:edit", str)
SET = Action("profile:set", str, str)
NONE = "none"
REMOVE = N_("Remove my answer")
FIELDS: dict[str, str] = {"name": N_("Name"), "craft": N_("Craft"), "country": N_("Country"), "sex": N_("Sex"),
                          "age_band": N_("Age band")}

add_item(N_("My profile"), SHOW, 85)


class ProfileStep(StrEnum):
    NAME = "profile.name"
    CHOICE = "profile.choice"  # step data: the field


def value_of(ctx: Context, field: str) -> str:
    user = ctx.user
    if field == "name":
        return user.name or "—"
    if field == "craft":
        return craft_name(user.craft, ctx.t) if user.craft else "—"
    if field == "country":
        return country_name(user.country, ctx.t) if user.country else "—"
    return label(field, getattr(user, field), ctx.t) or ctx._("Not given")


def show_profile(ctx: Context, first: str | None = None) -> None:
    ctx.goto(None)
    lines = [first] if first else []
    lines.append(ctx._("Your profile:"))
    lines += [f"{ctx._(title)}: {value_of(ctx, field)}" for field, title in FIELDS.items()]
    lines.append(state_line(ctx))
    lines.append(ctx._("Sex and age are optional and used only for anonymous programme reports. "
                       "Choose what to change."))
    buttons = [Button(ctx._(title), EDIT.encode(field)) for field, title in FIELDS.items()]
    buttons.append(Button(ctx._("Data saver"), SAVER.encode()))
    ctx.reply("\n".join(lines), rows(*buttons, Button(ctx._("Main menu"), HOME.encode()), width=2))


@router.on(Command("profile"), Onboarded)
@router.on(SHOW, Onboarded)
async def profile(ctx: Context) -> None:
    show_profile(ctx)


def choice_buttons(ctx: Context, field: str, codes: Iterable[str] | None = None) -> Buttons:
    def encode(code: str) -> str:
        return SET.encode(field, code)

    if field == "craft":
        return rows(*(Button(craft_name(c, ctx.t), encode(c)) for c in codes or CRAFTS), width=2)
    if field == "country":
        return rows(*(Button(country_name(c, ctx.t), encode(c)) for c in codes or COUNTRIES), width=2)
    return optional_buttons(ctx, field, encode, codes, last=(REMOVE, NONE))


def ask(ctx: Context, field: str) -> None:
    ctx.goto(ProfileStep.CHOICE, field=field)
    questions = {"craft": ctx._("What is your craft?"), "country": ctx._("Which country do you work in?"),
                 "sex": ctx._("Are you a woman or a man, or do you describe yourself another way?"),
                 "age_band": ctx._("How old are you? Choose a range, or type your age.")}
    ctx.reply(questions[field], choice_buttons(ctx, field))


@router.on(EDIT, Onboarded)
async def edit(ctx: Context) -> None:
    field = EDIT.arg(ctx, "")
    if field == "name":
        ctx.goto(ProfileStep.NAME)
        ctx.reply(ctx._("What is your name?"))
    elif field in FIELDS:
        ask(ctx, field)
    else:
        show_profile(ctx)


def valid(field: str, code: str) -> bool:
    if field == "craft":
        return code in CRAFTS
    if field == "country":
        return code in COUNTRIES
    return field in CHOICES and (code in CHOICES[field] or code == NONE)


def store(ctx: Context, field: str, code: str) -> None:
    user = ctx.user
    if field == "country" and user.timezone == COUNTRY_TIMEZONE.get(user.country or ""):
        user.timezone = COUNTRY_TIMEZONE.get(code)  # the zone followed the country: it still does
    setattr(user, field, None if code == NONE else code)
    show_profile(ctx, ctx._("Saved."))


@router.on(SET, Onboarded)
async def set_value(ctx: Context) -> None:
    field, code = SET.args(ctx) or ("", "")
    if valid(field, code):
        store(ctx, field, code)
    else:
        show_profile(ctx)


@router.step(ProfileStep.NAME, filters=[Onboarded])
async def typed_name(ctx: Context) -> None:
    name = read_name(ctx)
    if name is not None:
        ctx.user.name = name
        show_profile(ctx, ctx._("Saved."))


@router.step(ProfileStep.CHOICE, filters=[Onboarded, typed])
async def typed_choice(ctx: Context) -> None:
    field = str(ctx.data.get("field", ""))
    if field not in FIELDS or field == "name":
        show_profile(ctx)
        return
    text = ctx.msg.text
    found = typed_craft(text) if field == "craft" else typed_country(text) if field == "country" else \
        typed_optional(field, text)
    if found == (SKIP,):  # "skip": leave it as it is
        show_profile(ctx)
        return
    code = answered(ctx, found, lambda codes: choice_buttons(ctx, field, codes))
    if code is not None:
        store(ctx, field, code)
