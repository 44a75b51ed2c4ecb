from decimal import Decimal

import pytest

from bot.prices import CURRENCIES, example_price, format_price, parse_price


@pytest.mark.parametrize(
    ("text", "default", "amount", "currency"),
    [
        ("150,000", "LAK", "150000", "LAK"),
        ("150.000", "VND", "150000", "VND"),
        ("150 000", "LAK", "150000", "LAK"),
        ("150000", "LAK", "150000", "LAK"),
        ("150k", "LAK", "150000", "LAK"),
        ("150K", "THB", "150000", "THB"),
        ("1.5 triệu", "VND", "1500000", "VND"),
        ("1,5 triệu", "VND", "1500000", "VND"),
        ("150kđ", "VND", "150000", "VND"),
        ("2 ล้าน", "THB", "2000000", "THB"),
        ("1.2 juta", "IDR", "1200000", "IDR"),
        ("Rp 150.000,-", "IDR", "150000", "IDR"),
        ("20 ribu", "IDR", "20000", "IDR"),
        ("3 ແສນ", "LAK", "300000", "LAK"),
        ("2 សែន រៀល", "KHR", "200000", "KHR"),
        ("5 သိန်း", "MMK", "500000", "MMK"),
        ("₭ 150000", "THB", "150000", "LAK"),
        ("150000 kip", "USD", "150000", "LAK"),
        ("$12", "LAK", "12", "USD"),
        ("$12", "SGD", "12", "SGD"),
        ("S$25", "MYR", "25", "SGD"),
        ("US$ 7", "SGD", "7", "USD"),
        ("RM 45", "LAK", "45", "MYR"),
        ("RM45", "MYR", "45", "MYR"),
        ("450 บาท", "LAK", "450", "THB"),
        ("฿350", "THB", "350", "THB"),
        ("₱500", "PHP", "500", "PHP"),
        ("price: 45", "USD", "45", "USD"),
        ("1,234.50", "USD", "1234.50", "USD"),
        ("1.234,50", "USD", "1234.50", "USD"),
        ("12.50", "USD", "12.50", "USD"),
        ("๑๕๐", "THB", "150", "THB"),  # Thai digits
        ("໑໕໐໐໐໐", "LAK", "150000", "LAK"),  # Lao digits
        ("12 usd", "LAK", "12", "USD"),
    ],
)
def test_prices_are_understood(text: str, default: str, amount: str, currency: str) -> None:
    parsed = parse_price(text, default)
    assert parsed is not None, text
    assert parsed[0] == Decimal(amount)
    assert parsed[1] == currency


@pytest.mark.parametrize(
    "text",
    ["", "cheap", "abc", "100-200", "-5", "0", "0.001", "€5", "12 34", "two kilos for 5", "5 and 6",
     "1" * 20, "ແສນ"],
)
def test_non_prices_are_refused(text: str) -> None:
    assert parse_price(text, "USD") is None


def test_formatting_follows_the_locale() -> None:
    assert format_price(Decimal(150000), "LAK", "lo_LA") == "₭150.000"
    assert "150,000" in format_price(Decimal(150000), "LAK", "en")
    assert "250.000" in format_price(250000, "VND", "vi_VN")
    assert all(example_price(c, "en") for c in CURRENCIES)
    # What is shown can be read back.
    for currency in CURRENCIES:
        shown = example_price(currency, "en")
        parsed = parse_price(shown, currency)
        assert parsed is not None and parsed[1] == currency, shown
