import pytest

from finflow.views.money import format_minor, minor_exponent


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        (0, "NOK", "0.00 NOK"),
        (5, "NOK", "0.05 NOK"),
        (123456789, "NOK", "1 234 567.89 NOK"),
        (-180050, "NOK", "-1 800.50 NOK"),
        (1000, "JPY", "1 000 JPY"),
        (1234, "KWD", "1.234 KWD"),
        (9_007_199_254_740_993, "EUR", "90 071 992 547 409.93 EUR"),  # beyond float precision
    ],
)
def test_format_minor_is_exact(amount, currency, text):
    assert format_minor(amount, currency) == text


def test_unknown_currency_has_two_decimals():
    assert minor_exponent("XYZ") == 2
