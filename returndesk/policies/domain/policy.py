"""A return policy: the rules one seller (or the platform's default) sets. Pure Python.

One immutable value per stored version. Money maps are keyed by ISO 4217 code with ``Decimal``
amounts in the currency's decimals; a currency missing from a map means the fee or rule does not
apply in that currency. Only the platform's default holds ``seller_bounds``.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from returndesk.core.money import exponent, format_amount, is_currency, unsigned
from returndesk.policies.domain.reasons import BUYER_CHOICE_REASONS, Reason

# The seller id that names the platform's default policy; no seller may take it.
DEFAULT_SELLER = "default"

MoneyMap = Mapping[str, Decimal]
EMPTY_MONEY: MoneyMap = MappingProxyType({})


class Payer(StrEnum):
    BUYER = "buyer"
    SELLER = "seller"


@dataclass(frozen=True)
class AutoApprove:
    """When the system approves a return as it opens (all three must hold; no reasons: never)."""

    reasons: tuple[Reason, ...] = ()
    max_line_paid: MoneyMap = field(default_factory=lambda: EMPTY_MONEY)
    max_days_since_delivery: int | None = None


@dataclass(frozen=True)
class ClockDays:
    """The lifecycle's clocks, in days (the platform's to set)."""

    seller_answer: int = 5
    offer_answer: int = 3
    ship_within: int = 10
    transit: int = 30
    receive_after_delivery: int = 5
    inspect_within: int = 5
    refund_within: int = 2
    refund_attention: int = 3
    manual_refund_confirm: int = 3
    escalation_window: int = 15
    dispute_decision: int = 7
    close_after_resolution: int = 15


# The fields a seller may change, unless the platform's default says otherwise.
SELLER_EDITABLE: tuple[str, ...] = (
    "window_days",
    "free_window_days",
    "free_returns_per_order",
    "return_shipping_paid_by",
    "return_shipping_fee",
    "restocking_fee_percent",
    "non_returnable_categories",
    "non_returnable_skus",
    "auto_approve",
    "keep_item_below",
    "exchanges",
)

# The EU's right of withdrawal: no window, the default's included, is shorter.
EU_FLOOR_DAYS = 14


@dataclass(frozen=True)
class SellerBounds:
    """What the platform lets sellers choose (held by the default policy only)."""

    min_window_days: int = EU_FLOOR_DAYS
    max_window_days: int = 365
    max_restocking_fee_percent: Decimal = Decimal(20)
    max_return_shipping_fee: MoneyMap = field(default_factory=lambda: EMPTY_MONEY)
    editable: tuple[str, ...] = SELLER_EDITABLE


@dataclass(frozen=True)
class ReturnPolicy:
    """Every field of a policy version; the defaults are the platform's version 1."""

    window_days: int = 30
    free_window_days: int = 15
    free_returns_per_order: int = 1
    # Buyer's-choice reasons only: the seller always pays for seller-fault reasons.
    return_shipping_paid_by: Mapping[Reason, Payer] = field(
        default_factory=lambda: MappingProxyType(dict.fromkeys(sorted(BUYER_CHOICE_REASONS), Payer.BUYER))
    )
    return_shipping_fee: MoneyMap = field(default_factory=lambda: EMPTY_MONEY)
    restocking_fee_percent: Decimal = Decimal(0)
    non_returnable_categories: tuple[str, ...] = ()
    non_returnable_skus: tuple[str, ...] = ()
    auto_approve: AutoApprove = AutoApprove()
    keep_item_below: MoneyMap = field(default_factory=lambda: EMPTY_MONEY)
    exchanges: bool = True
    hold_refunds_above: MoneyMap = field(default_factory=lambda: EMPTY_MONEY)
    clock_days: ClockDays = ClockDays()
    seller_bounds: SellerBounds | None = None

    def return_shipping_payer(self, reason: Reason) -> Payer:
        """Who pays to send a line back for ``reason``."""
        if reason not in BUYER_CHOICE_REASONS:
            return Payer.SELLER
        return self.return_shipping_paid_by.get(reason, Payer.BUYER)


# The platform's default as the core shipped it: stored as version 1 by a data migration.
CORE_DEFAULT = ReturnPolicy(seller_bounds=SellerBounds())


# --- The JSON document: the API's field shapes, and what a version row stores ------------------


def _money_to_json(amounts: MoneyMap) -> dict[str, str]:
    return {currency: format_amount(amount, currency) for currency, amount in sorted(amounts.items())}


def policy_to_json(policy: ReturnPolicy) -> dict[str, object]:
    """``policy`` as the API shows it and a version row stores it: money and percentages as
    decimal strings, maps keyed by code, lists in their stored order; ``seller_bounds`` null
    on a seller's version."""
    bounds = policy.seller_bounds
    return {
        "window_days": policy.window_days,
        "free_window_days": policy.free_window_days,
        "free_returns_per_order": policy.free_returns_per_order,
        "return_shipping_paid_by": {
            str(reason): str(payer) for reason, payer in sorted(policy.return_shipping_paid_by.items())
        },
        "return_shipping_fee": _money_to_json(policy.return_shipping_fee),
        "restocking_fee_percent": str(policy.restocking_fee_percent),
        "non_returnable_categories": list(policy.non_returnable_categories),
        "non_returnable_skus": list(policy.non_returnable_skus),
        "auto_approve": {
            "reasons": [str(reason) for reason in policy.auto_approve.reasons],
            "max_line_paid": _money_to_json(policy.auto_approve.max_line_paid),
            "max_days_since_delivery": policy.auto_approve.max_days_since_delivery,
        },
        "keep_item_below": _money_to_json(policy.keep_item_below),
        "exchanges": policy.exchanges,
        "hold_refunds_above": _money_to_json(policy.hold_refunds_above),
        "clock_days": {name: getattr(policy.clock_days, name) for name in CLOCK_NAMES},
        "seller_bounds": None if bounds is None else bounds_to_json(bounds),
    }


def bounds_to_json(bounds: SellerBounds) -> dict[str, object]:
    """The default's ``seller_bounds`` as the API shows them."""
    return {
        "min_window_days": bounds.min_window_days,
        "max_window_days": bounds.max_window_days,
        "max_restocking_fee_percent": str(bounds.max_restocking_fee_percent),
        "max_return_shipping_fee": _money_to_json(bounds.max_return_shipping_fee),
        "editable": list(bounds.editable),
    }


# The clocks in the order the API lists them.
CLOCK_NAMES: tuple[str, ...] = tuple(f.name for f in fields(ClockDays))


def _int(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"expected an integer, got {value!r}")
    return value


def _bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected true or false, got {value!r}")
    return value


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {value!r}")
    return value


def _object(value: object) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise TypeError(f"expected an object, got {value!r}")
    return value


def _list(value: object) -> list[object]:
    if not isinstance(value, list | tuple):
        raise TypeError(f"expected a list, got {value!r}")
    return list(value)


def _money_from_json(value: object) -> MoneyMap:
    return MappingProxyType({currency: Decimal(_str(amount)) for currency, amount in _object(value).items()})


def policy_from_json(data: Mapping[str, object]) -> ReturnPolicy:
    """The policy a stored document (``policy_to_json``'s shape) holds. The document was checked
    when its version was made; a malformed one raises ``TypeError``/``KeyError``/``ValueError``."""
    auto = _object(data["auto_approve"])
    days = auto["max_days_since_delivery"]
    clocks = _object(data["clock_days"])
    bounds = data["seller_bounds"]
    seller_bounds = None
    if bounds is not None:
        bounds = _object(bounds)
        seller_bounds = SellerBounds(
            min_window_days=_int(bounds["min_window_days"]),
            max_window_days=_int(bounds["max_window_days"]),
            max_restocking_fee_percent=Decimal(_str(bounds["max_restocking_fee_percent"])),
            max_return_shipping_fee=_money_from_json(bounds["max_return_shipping_fee"]),
            editable=tuple(_str(name) for name in _list(bounds["editable"])),
        )
    return ReturnPolicy(
        window_days=_int(data["window_days"]),
        free_window_days=_int(data["free_window_days"]),
        free_returns_per_order=_int(data["free_returns_per_order"]),
        return_shipping_paid_by=MappingProxyType(
            {Reason(reason): Payer(_str(payer)) for reason, payer in _object(data["return_shipping_paid_by"]).items()}
        ),
        return_shipping_fee=_money_from_json(data["return_shipping_fee"]),
        restocking_fee_percent=Decimal(_str(data["restocking_fee_percent"])),
        non_returnable_categories=tuple(_str(item) for item in _list(data["non_returnable_categories"])),
        non_returnable_skus=tuple(_str(item) for item in _list(data["non_returnable_skus"])),
        auto_approve=AutoApprove(
            reasons=tuple(Reason(_str(reason)) for reason in _list(auto["reasons"])),
            max_line_paid=_money_from_json(auto["max_line_paid"]),
            max_days_since_delivery=None if days is None else _int(days),
        ),
        keep_item_below=_money_from_json(data["keep_item_below"]),
        exchanges=_bool(data["exchanges"]),
        hold_refunds_above=_money_from_json(data["hold_refunds_above"]),
        clock_days=ClockDays(**{name: _int(clocks[name]) for name in CLOCK_NAMES}),
        seller_bounds=seller_bounds,
    )


# --- A PUT: parse the changes, merge them, judge the result -------------------------------------


class Bound(StrEnum):
    """Why a policy's value is refused (422 ``outside_platform_bounds``)."""

    BELOW_MINIMUM = "below_minimum"
    ABOVE_MAXIMUM = "above_maximum"
    NOT_EDITABLE = "not_editable"
    CURRENCY_NOT_ALLOWED = "currency_not_allowed"


@dataclass(frozen=True)
class Problem:
    """One refused value: ``loc`` is its path in the body (field, then key or index), ``code`` a
    ``Bound`` or, for a malformed value, the validation error's type."""

    loc: tuple[str | int, ...]
    code: str
    msg: str


# Every field a PUT may send, in the document's order.
POLICY_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(ReturnPolicy))
# What no seller's version holds, and what only the platform sets (unless ``editable`` says so).
PLATFORM_ONLY: tuple[str, ...] = ("hold_refunds_above", "clock_days", "seller_bounds")
MAX_LIST_ITEMS = 500
MAX_FREE_RETURNS = 100
MAX_PERCENT = Decimal(100)
# Ten years: longer windows mean nothing to a buyer and would run the calendar past its years.
MAX_WINDOW_DAYS = 3650
# A plain decimal of at most 15 digits before the point, as the money columns hold (19, 4 places);
# no exponent ("1e3"), which Decimal reads but nobody means.
_DECIMAL = re.compile(r"-?[0-9]{1,15}(\.[0-9]+)?")
CLOCK_RANGE = (1, 60)
_PERCENT_EXPONENT = -2


class _Malformed(Exception):
    def __init__(self, loc: tuple[str | int, ...], msg: str, code: str = "invalid") -> None:
        super().__init__(msg)
        self.problem = Problem(loc, code, msg)


def _need(condition: bool, loc: tuple[str | int, ...], msg: str) -> None:
    if not condition:
        raise _Malformed(loc, msg)


def _parse_int(value: object, loc: tuple[str | int, ...]) -> int:
    _need(isinstance(value, int) and not isinstance(value, bool), loc, "Give a whole number.")
    assert isinstance(value, int)
    return value


def _parse_object(value: object, loc: tuple[str | int, ...]) -> Mapping[str, object]:
    _need(isinstance(value, Mapping) and all(isinstance(key, str) for key in value), loc, "Give a JSON object.")
    assert isinstance(value, Mapping)
    return value


def _parse_decimal(value: object, loc: tuple[str | int, ...], *, exponent: int, what: str) -> Decimal:
    _need(isinstance(value, str), loc, f'Give {what} as a decimal string, like "4.99".')
    assert isinstance(value, str)
    _need(_DECIMAL.fullmatch(value.strip()) is not None, loc, f'{value!r} is not a decimal number like "4.99".')
    amount = unsigned(Decimal(value.strip()))
    _need(
        amount == amount.quantize(Decimal(1).scaleb(exponent)),
        loc,
        f"{what.capitalize()} has at most {-exponent} decimals.",
    )
    return amount


def _parse_money(value: object, loc: tuple[str | int, ...]) -> MoneyMap:
    amounts: dict[str, Decimal] = {}
    for currency, amount in _parse_object(value, loc).items():
        _need(is_currency(currency), (*loc, currency), f"{currency!r} is not an ISO 4217 currency code.")
        amounts[currency] = _parse_decimal(
            amount, (*loc, currency), exponent=-exponent(currency), what=f"an amount in {currency}"
        )
    return MappingProxyType(amounts)


def _parse_strings(value: object, loc: tuple[str | int, ...]) -> tuple[str, ...]:
    _need(isinstance(value, list | tuple), loc, "Give a list of strings.")
    assert isinstance(value, list | tuple)
    items: list[str] = []
    for index, item in enumerate(value):
        _need(isinstance(item, str) and bool(item.strip()), (*loc, index), "Give a non-empty string.")
        assert isinstance(item, str)
        items.append(item.strip())
    return tuple(items)


def _parse_reason(value: object, loc: tuple[str | int, ...]) -> Reason:
    _need(isinstance(value, str) and value in Reason.__members__.values(), loc, f"{value!r} is not a reason.")
    assert isinstance(value, str)
    return Reason(value)


def _parse_paid_by(value: object, loc: tuple[str | int, ...]) -> Mapping[Reason, Payer]:
    payers: dict[Reason, Payer] = {}
    for key, payer in _parse_object(value, loc).items():
        reason = _parse_reason(key, (*loc, key))
        _need(reason in BUYER_CHOICE_REASONS, (*loc, key), f"The seller always pays for {reason}: leave it out.")
        _need(payer in ("buyer", "seller"), (*loc, key), 'Give "buyer" or "seller".')
        payers[reason] = Payer(str(payer))
    # Every version names every buyer's-choice reason: one left out is the default's, the buyer.
    return MappingProxyType({reason: payers.get(reason, Payer.BUYER) for reason in sorted(BUYER_CHOICE_REASONS)})


def _parse_auto_approve(value: object, loc: tuple[str | int, ...]) -> AutoApprove:
    data = _parse_object(value, loc)
    _need(
        set(data) <= {"reasons", "max_line_paid", "max_days_since_delivery"},
        loc,
        "Give reasons, max_line_paid and max_days_since_delivery only.",
    )
    reasons = data.get("reasons", [])
    _need(isinstance(reasons, list | tuple), (*loc, "reasons"), "Give a list of reasons.")
    assert isinstance(reasons, list | tuple)
    parsed = tuple(_parse_reason(reason, (*loc, "reasons", index)) for index, reason in enumerate(reasons))
    _need(len(set(parsed)) == len(parsed), (*loc, "reasons"), "Name each reason once.")
    days = data.get("max_days_since_delivery")
    return AutoApprove(
        reasons=parsed,
        max_line_paid=_parse_money(data.get("max_line_paid", {}), (*loc, "max_line_paid")),
        max_days_since_delivery=None if days is None else _parse_int(days, (*loc, "max_days_since_delivery")),
    )


def _parse_clocks(value: object, loc: tuple[str | int, ...]) -> ClockDays:
    data = _parse_object(value, loc)
    for name in data:
        _need(name in CLOCK_NAMES, (*loc, name), f"{name!r} is not a clock.")
    # An object replaces the old one whole: a clock left out takes the core's default.
    return ClockDays(**{name: _parse_int(data[name], (*loc, name)) for name in CLOCK_NAMES if name in data})


def _parse_bounds(value: object, loc: tuple[str | int, ...]) -> SellerBounds | None:
    if value is None:
        return None
    data = _parse_object(value, loc)
    known = {f.name for f in fields(SellerBounds)}
    for name in data:
        _need(name in known, (*loc, name), f"{name!r} is not a seller bound.")
    bounds = SellerBounds()
    editable = data.get("editable", list(bounds.editable))
    names = _parse_strings(editable, (*loc, "editable"))
    for index, name in enumerate(names):
        _need(name in SELLER_EDITABLE, (*loc, "editable", index), f"{name!r} is not a field sellers may be let edit.")
    return SellerBounds(
        min_window_days=_parse_int(data.get("min_window_days", bounds.min_window_days), (*loc, "min_window_days")),
        max_window_days=_parse_int(data.get("max_window_days", bounds.max_window_days), (*loc, "max_window_days")),
        max_restocking_fee_percent=_parse_decimal(
            data.get("max_restocking_fee_percent", str(bounds.max_restocking_fee_percent)),
            (*loc, "max_restocking_fee_percent"),
            exponent=_PERCENT_EXPONENT,
            what="a percentage",
        ),
        max_return_shipping_fee=_parse_money(
            data.get("max_return_shipping_fee", {}), (*loc, "max_return_shipping_fee")
        ),
        editable=tuple(dict.fromkeys(names)),
    )


def _parse_bool(value: object, loc: tuple[str | int, ...]) -> bool:
    _need(isinstance(value, bool), loc, "Give true or false.")
    assert isinstance(value, bool)
    return value


def _parse_field(name: str, value: object) -> object:
    loc = (name,)
    match name:
        case "window_days" | "free_window_days" | "free_returns_per_order":
            return _parse_int(value, loc)
        case "return_shipping_paid_by":
            return _parse_paid_by(value, loc)
        case "return_shipping_fee" | "keep_item_below" | "hold_refunds_above":
            return _parse_money(value, loc)
        case "restocking_fee_percent":
            return _parse_decimal(value, loc, exponent=_PERCENT_EXPONENT, what="a percentage")
        case "non_returnable_categories" | "non_returnable_skus":
            return _parse_strings(value, loc)
        case "auto_approve":
            return _parse_auto_approve(value, loc)
        case "exchanges":
            return _parse_bool(value, loc)
        case "clock_days":
            return _parse_clocks(value, loc)
        case "seller_bounds":
            return _parse_bounds(value, loc)
    raise _Malformed(loc, f"{name!r} is not a policy field.", "extra_forbidden")


def policy_changes_parse(body: Mapping[str, object]) -> tuple[dict[str, object], tuple[Problem, ...]]:
    """The fields a PUT body sends, each as the policy holds it, and what is malformed in it
    (a wrong type, an unknown field or key, a currency that is no ISO 4217 code, more decimals
    than the currency has): the 422 ``validation_error`` items, at most one per field."""
    changes: dict[str, object] = {}
    problems: list[Problem] = []
    for name, value in body.items():
        try:
            changes[name] = _parse_field(name, value)
        except _Malformed as malformed:
            problems.append(malformed.problem)
    return changes, tuple(problems)


def policy_merge(current: ReturnPolicy, changes: Mapping[str, object]) -> ReturnPolicy:
    """``current`` with ``changes``: fields left out keep their values; an object or map sent
    replaces the old one whole."""
    return replace(current, **changes)  # type: ignore[arg-type]


def _range(
    problems: list[Problem],
    loc: tuple[str | int, ...],
    value: int | Decimal,
    *,
    low: int | Decimal,
    high: int | Decimal | None = None,
    unit: str = "",
) -> None:
    if value < low:
        problems.append(Problem(loc, Bound.BELOW_MINIMUM, f"{loc[-1]} must be at least {low}{unit}."))
    elif high is not None and value > high:
        problems.append(Problem(loc, Bound.ABOVE_MAXIMUM, f"{loc[-1]} may be at most {high}{unit}."))


def platform_problems(policy: ReturnPolicy) -> tuple[Problem, ...]:
    """The ranges every version keeps, the platform's default too: the EU's 14-day floor, free
    and auto-approve days within the window, counts, percentages, clocks of 1 to 60 days, amounts
    of 0 or more, lists of at most 500 items."""
    problems: list[Problem] = []
    eu = " days (the EU's right of withdrawal)"
    _range(problems, ("window_days",), policy.window_days, low=EU_FLOOR_DAYS, unit=eu)
    _range(problems, ("window_days",), policy.window_days, low=0, high=MAX_WINDOW_DAYS, unit=" days")
    window = policy.window_days
    _range(problems, ("free_window_days",), policy.free_window_days, low=0, high=window, unit=" days (window_days)")
    _range(problems, ("free_returns_per_order",), policy.free_returns_per_order, low=0, high=MAX_FREE_RETURNS)
    _range(problems, ("restocking_fee_percent",), policy.restocking_fee_percent, low=0, high=MAX_PERCENT, unit="%")
    for name in ("non_returnable_categories", "non_returnable_skus"):
        items = len(getattr(policy, name))
        if items > MAX_LIST_ITEMS:
            msg = f"{name} may hold at most {MAX_LIST_ITEMS} items, not {items}."
            problems.append(Problem((name,), Bound.ABOVE_MAXIMUM, msg))
    days = policy.auto_approve.max_days_since_delivery
    if days is not None:
        loc: tuple[str | int, ...] = ("auto_approve", "max_days_since_delivery")
        _range(problems, loc, days, low=0, high=window, unit=" days (window_days)")
    for where, amounts in (
        (("return_shipping_fee",), policy.return_shipping_fee),
        (("keep_item_below",), policy.keep_item_below),
        (("hold_refunds_above",), policy.hold_refunds_above),
        (("auto_approve", "max_line_paid"), policy.auto_approve.max_line_paid),
    ):
        for currency, amount in amounts.items():
            _range(problems, (*where, currency), amount, low=0, unit=f" {currency}")
    low, high = CLOCK_RANGE
    for name in CLOCK_NAMES:
        _range(problems, ("clock_days", name), getattr(policy.clock_days, name), low=low, high=high, unit=" days")
    bounds = policy.seller_bounds
    if bounds is not None:
        loc = ("seller_bounds",)
        _range(problems, (*loc, "min_window_days"), bounds.min_window_days, low=EU_FLOOR_DAYS, unit=eu)
        _range(
            problems,
            (*loc, "max_window_days"),
            bounds.max_window_days,
            low=bounds.min_window_days,
            high=MAX_WINDOW_DAYS,
            unit=" days",
        )
        percent = bounds.max_restocking_fee_percent
        _range(problems, (*loc, "max_restocking_fee_percent"), percent, low=0, high=MAX_PERCENT, unit="%")
        for currency, amount in bounds.max_return_shipping_fee.items():
            _range(problems, (*loc, "max_return_shipping_fee", currency), amount, low=0, unit=f" {currency}")
    return tuple(problems)


def _outside_seller_bounds(policy: ReturnPolicy, current: ReturnPolicy, bounds: SellerBounds) -> list[Problem]:
    """The values ``policy`` changes from ``current`` outside ``bounds``: the window between
    ``min_window_days`` and ``max_window_days``, the restocking fee and each return shipping fee
    (by currency) within their maximums (a currency without a maximum is refused)."""
    problems: list[Problem] = []
    if policy.window_days != current.window_days:
        low, high = bounds.min_window_days, bounds.max_window_days
        _range(problems, ("window_days",), policy.window_days, low=low, high=high, unit=" days")
    if policy.restocking_fee_percent != current.restocking_fee_percent:
        maximum = bounds.max_restocking_fee_percent
        _range(problems, ("restocking_fee_percent",), policy.restocking_fee_percent, low=0, high=maximum, unit="%")
    for currency, amount in policy.return_shipping_fee.items():
        if current.return_shipping_fee.get(currency) == amount:
            continue
        loc: tuple[str | int, ...] = ("return_shipping_fee", currency)
        highest = bounds.max_return_shipping_fee.get(currency)
        if highest is None:
            msg = f"The platform allows no return shipping fee in {currency}: leave {currency} out."
            problems.append(Problem(loc, Bound.CURRENCY_NOT_ALLOWED, msg))
        else:
            _range(problems, loc, amount, low=0, high=highest, unit=f" {currency}")
    return problems


def seller_problems(
    policy: ReturnPolicy, *, current: ReturnPolicy, bounds: SellerBounds, sent: Collection[str]
) -> tuple[Problem, ...]:
    """What binds a seller beyond ``platform_problems``: the values the PUT changes within the
    default's bounds (``_outside_seller_bounds``). A value the seller keeps is not judged again:
    one inherited from the default (which the bounds do not bind) or kept from before the
    platform tightened a bound does not block the seller's other edits. And every field outside
    ``editable`` that ``sent`` names with a value other than ``current``'s."""
    problems = _outside_seller_bounds(policy, current, bounds)
    for name in POLICY_FIELDS:
        if name in sent and name not in bounds.editable and getattr(policy, name) != getattr(current, name):
            msg = f"Only the platform sets {name}: send its current value or leave it out."
            problems.append(Problem((name,), Bound.NOT_EDITABLE, msg))
    return tuple(problems)


def policy_problems(
    policy: ReturnPolicy, *, current: ReturnPolicy, bounds: SellerBounds | None, sent: Collection[str]
) -> tuple[Problem, ...]:
    """Everything refused in ``policy`` (``current`` merged with the fields ``sent``): the
    platform's ranges, and with ``bounds`` (a seller's own PUT) the seller's; one problem per
    value, the platform's first."""
    found = platform_problems(policy)
    if bounds is not None:
        found += seller_problems(policy, current=current, bounds=bounds, sent=sent)
    first: dict[tuple[str | int, ...], Problem] = {}
    for problem in found:
        first.setdefault(problem.loc, problem)
    return tuple(first.values())
