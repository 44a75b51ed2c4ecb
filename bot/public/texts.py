"""The words of the public pages, marked for translation (translated per page into the chosen language)."""

from __future__ import annotations

from bot.i18n import N_

TEXTS: dict[str, str] = {
    "directory": N_("Directory of artisans"),
    "directory_intro": N_("Artisans, cooperatives and workshops of Southeast Asia who chose to be shown here."),
    "empty": N_("No profiles are shown here yet."),
    "crafts": N_("Crafts"),
    "place": N_("Place"),
    "languages": N_("Languages"),
    "contact": N_("Contact"),
    "contact_bot": N_("Write to them through our chat bot on Telegram or WhatsApp: open the Directory and find "
                      "this profile."),
    "products": N_("Products"),
    "seller": N_("Made by"),
    "price": N_("Price"),
    "gone_title": N_("This page is no longer available"),
    "gone_text": N_("Its owner took it down, or it is no longer shown."),
    "not_found": N_("There is no such page."),
    "language": N_("Language"),
    "person": N_("A person"),
    "group": N_("A group (cooperative, workshop)"),
    "featured": N_("Featured"),
}
