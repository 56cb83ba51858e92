"""French number, percentage and date formatting (Babel, locale ``fr_FR``).

Every figure a reader sees goes through these helpers so that the report, the
chart labels and the alt texts share one typography: narrow no-break space as
thousands separator (« 4 512 345 »), decimal comma, no-break space before
« % » (« 15,1 % »), a true minus sign for negative evolutions.
"""

from __future__ import annotations

import datetime as _dt
import math
from numbers import Real

from babel.dates import format_date
from babel.numbers import format_decimal

LOCALE = "fr_FR"
NBSP = "\u00a0"
NNBSP = "\u202f"
MINUS = "\u2212"
MISSING = "n.d."


class _Secret:
    """Marker of a value covered by statistical secrecy (printed « s »)."""

    def __repr__(self) -> str:
        return "SECRET"


SECRET = _Secret()
SECRET_TEXT = "s"


def _special(value: object) -> str | None:
    """The text of a value that is not a number: « s » (secret) or « n.d. » (missing)."""
    if value is SECRET:
        return SECRET_TEXT
    return MISSING if is_missing(value) else None


def is_missing(value: object) -> bool:
    """No number to show: ``None``, NaN or :data:`SECRET`."""
    if value is None or value is SECRET:
        return True
    try:
        return bool(math.isnan(value))  # type: ignore[arg-type]
    except TypeError:
        return False


def fmt_number(value: Real | None, decimals: int = 0) -> str:
    """« 4 512 345 », « 377,3 »: a number with ``decimals`` fixed decimals."""
    if (text := _special(value)) is not None:
        return text
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    text = format_decimal(round(float(value), decimals), format=pattern, locale=LOCALE)
    return text.replace("-", MINUS)


def fmt_int(value: Real | None) -> str:
    """« 12 978 »: a count, rounded to the unit."""
    return fmt_number(value, 0)


def plural(count: Real, singular: str, plural_form: str | None = None) -> str:
    """French agreement: singular for |count| < 2 (« 1,5 heure », « 0 heure »)."""
    if plural_form is None:
        plural_form = singular + "s"
    return singular if abs(float(count)) < 2 else plural_form


def fmt_count(value: Real | None, singular: str, plural_form: str | None = None,
              decimals: int = 0) -> str:
    """« 4 512 345 heures », « 1 participant »: a number followed by its noun."""
    if (text := _special(value)) is not None:
        return text
    rounded = round(float(value), decimals)
    return f"{fmt_number(rounded, decimals)}{NBSP}{plural(rounded, singular, plural_form)}"


def fmt_hours(value: Real | None) -> str:
    """« 4 512 345 heures » (hours are rounded to the hour for display)."""
    return fmt_count(value, "heure")


def fmt_euros(value: Real | None) -> str:
    """« 12,3 M€ » from a million euros up, else « 80 000 € »: an amount in euros."""
    if (text := _special(value)) is not None:
        return text
    if abs(float(value)) >= 1_000_000:
        return f"{fmt_number(float(value) / 1_000_000, 1)}{NBSP}M€"
    return f"{fmt_int(value)}{NBSP}€"


def fmt_pct(fraction: Real | None, decimals: int = 1) -> str:
    """« 15,1 % » from the fraction 0.151."""
    if (text := _special(fraction)) is not None:
        return text
    return f"{fmt_number(float(fraction) * 100, decimals)}{NBSP}%"


def fmt_share(fraction: Real | None) -> str:
    """« 4,2 % », « 0,35 % »: :func:`fmt_pct` with two decimals below 1 %, so a small share
    does not read as zero."""
    return fmt_pct(fraction, 2 if fraction is not None and abs(float(fraction)) < 0.01 else 1)


def fmt_evolution(rate: Real | None, decimals: int = 1) -> str:
    """« +3,2 % », « −1,0 % », « 0,0 % » from the rate 0.032."""
    if (text := _special(rate)) is not None:
        return text
    pct = round(float(rate) * 100, decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
    sign = "+" if pct > 0 else ""
    return f"{sign}{fmt_number(pct, decimals)}{NBSP}%"


_TYPOGRAPHY = (("« ", f"«{NBSP}"), (" »", f"{NBSP}»"), (" :", f"{NBSP}:"), (" ;", f"{NNBSP};"),
               (" ?", f"{NNBSP}?"), (" !", f"{NNBSP}!"))


def french_typography(text: str) -> str:
    """Non-breaking spaces inside guillemets and before « : ; ? ! », so that no line starts with
    one of them nor ends with an opening guillemet."""
    for plain, kept in _TYPOGRAPHY:
        text = text.replace(plain, kept)
    return text


def fmt_date(value: _dt.date) -> str:
    """« 22 novembre 2026 »."""
    return format_date(value, format="long", locale=LOCALE)


def fmt_value(value: Real | None, kind: str) -> str:
    """Format ``value`` by kind: ``heures``, ``nombre``, ``part``, ``evolution``,
    ``decimal`` (one decimal), ``etp`` (rounded to the unit), ``euros``."""
    formatters = {
        "heures": fmt_hours,
        "nombre": fmt_int,
        "etp": fmt_int,
        "part": fmt_pct,
        "euros": fmt_euros,
        "evolution": fmt_evolution,
        "decimal": lambda v: fmt_number(v, 1),
    }
    return formatters[kind](value)
