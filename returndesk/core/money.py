"""Exact money: ISO 4217 exponents and decimal-string formatting. Pure Python.

Amounts are ``Decimal`` with the currency's exponent (JPY has 0 decimals, KWD 3); the database
stores them as decimals with four places, enough for every active currency.
"""

from __future__ import annotations

from decimal import Decimal

# Active ISO 4217 codes whose minor unit is not 2 decimals.
_EXPONENT_EXCEPTIONS = {
    "BIF": 0,
    "CLP": 0,
    "DJF": 0,
    "GNF": 0,
    "ISK": 0,
    "JPY": 0,
    "KMF": 0,
    "KRW": 0,
    "PYG": 0,
    "RWF": 0,
    "UGX": 0,
    "UYI": 0,
    "VND": 0,
    "VUV": 0,
    "XAF": 0,
    "XOF": 0,
    "XPF": 0,
    "BHD": 3,
    "IQD": 3,
    "JOD": 3,
    "KWD": 3,
    "LYD": 3,
    "OMR": 3,
    "TND": 3,
    "CLF": 4,
    "UYW": 4,
}
_TWO_DECIMALS = frozenset(
    (
        "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BTN BWP BYN BZD CAD "
        "CDF CHF CNY COP CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD "
        "HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD "
        "MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON "
        "RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD "
        "TZS UAH USD UYU UZS VES WST XCD YER ZAR ZMW ZWG"
    ).split()
)
EXPONENTS: dict[str, int] = dict.fromkeys(_TWO_DECIMALS, 2) | _EXPONENT_EXCEPTIONS


def is_currency(code: str) -> bool:
    return code in EXPONENTS


def exponent(currency: str) -> int:
    return EXPONENTS[currency]


def fits_currency(amount: Decimal, currency: str) -> bool:
    """True when ``amount`` has no more decimals than the currency's minor unit allows."""
    return amount == amount.quantize(Decimal(1).scaleb(-exponent(currency)))


def format_amount(amount: Decimal, currency: str) -> str:
    """The API's decimal string for an amount: exactly the currency's number of decimals, and
    never a signed zero ("-0" typed is zero)."""
    return str(unsigned(amount).quantize(Decimal(1).scaleb(-exponent(currency))))


def unsigned(amount: Decimal) -> Decimal:
    """``amount`` with a zero's sign dropped: Decimal keeps "-0", which is no amount anyone means."""
    return amount.copy_abs() if amount.is_zero() else amount


def to_minor(amount: Decimal, currency: str) -> int:
    """``amount`` in the currency's minor units (EUR 4.99 -> 499, JPY 500 -> 500), exactly.

    Raises ``ValueError`` when the amount has more decimals than the currency allows: money is
    never rounded silently on its way into integer arithmetic.
    """
    units = amount.scaleb(exponent(currency))
    if units != units.to_integral_value():
        raise ValueError(f"{amount} has more decimals than {currency} allows")
    return int(units)


def from_minor(units: int, currency: str) -> Decimal:
    """The ``Decimal`` amount of ``units`` minor units, with exactly the currency's decimals."""
    places = exponent(currency)
    return Decimal(units).scaleb(-places).quantize(Decimal(1).scaleb(-places))
