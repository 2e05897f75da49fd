from django import template

from clinic import pdf

register = template.Library()


@register.filter
def pdf_static(path: str) -> str:
    return pdf.static_url(path)


@register.filter
def pdf_media(path: str) -> str:
    return pdf.media_url(path)


CURRENCY_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$", "AUD": "A$", "CAD": "C$", "NZD": "NZ$", "CHF": "CHF "}


@register.filter
def money(amount, currency: str = "GBP") -> str:
    """45 -> "£45.00"; an unknown currency code is written out ("SEK 450.00"). Empty stays empty."""
    if amount is None or amount == "":
        return ""
    code = (currency or "").upper()
    symbol = CURRENCY_SYMBOLS.get(code, f"{code} ")
    return f"{symbol}{amount:,.2f}"
