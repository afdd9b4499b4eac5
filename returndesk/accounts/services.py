"""Issuing and revoking API keys; creating staff members; buyers' sign-in links."""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from returndesk.accounts.errors import (
    ApiKeyNotFound,
    CarrierForCarriersOnly,
    InvalidCarrier,
    SellerNotFound,
    SellerRequired,
    SignInLinkInvalid,
    StaffExists,
    StaffNotFound,
    SupervisorForAgentsOnly,
)
from returndesk.accounts.keys import carrier_name_valid, digest_secret, new_prefix, new_secret
from returndesk.accounts.limits import link_request_count
from returndesk.accounts.models import ApiKey, MagicLink, StaffMembership
from returndesk.core import clock
from returndesk.core.actors import StaffRole, with_article
from returndesk.core.errors import ValidationFailed
from returndesk.core.transactions import after_commit
from returndesk.marketplace.models import Buyer, Seller


def apikey_create(
    *,
    role: str,
    seller: Seller | None = None,
    supervisor: bool = False,
    name: str = "",
    carrier: str | None = None,
) -> tuple[ApiKey, str]:
    """Create a key and return it with its plaintext, which is shown once and never stored.

    ``carrier`` names the carrier a carrier key acts for; keys naming one carrier share its
    drop-off points. A carrier key naming none is a carrier of its own, named by its prefix.
    """
    if role == ApiKey.Role.SELLER and seller is None:
        raise SellerRequired("A seller key must name the seller it acts for.")
    if role != ApiKey.Role.SELLER and seller is not None:
        raise SellerRequired(f"Only a seller key names a seller; {with_article(role).lower()} key acts for none.")
    if supervisor and role != ApiKey.Role.AGENT:
        raise SupervisorForAgentsOnly(
            f"Only an agent key can be a supervisor key; {with_article(role).lower()} key cannot."
        )
    if carrier is not None and role != ApiKey.Role.CARRIER:
        raise CarrierForCarriersOnly(
            f"Only a carrier key names a carrier; {with_article(role).lower()} key acts for none."
        )
    if carrier is not None and not carrier_name_valid(carrier):
        raise InvalidCarrier(
            f"A carrier is named by 1 to 50 lowercase letters, digits and hyphens, so {carrier!r} cannot be one."
        )
    secret = new_secret()
    while True:
        prefix = new_prefix()
        if not ApiKey.objects.filter(prefix=prefix).exists():
            break
    api_key = ApiKey.objects.create(
        prefix=prefix,
        digest=digest_secret(secret),
        role=role,
        seller=seller,
        supervisor=supervisor,
        carrier=carrier or (prefix if role == ApiKey.Role.CARRIER else ""),
        name=name,
        created_at=clock.now(),
    )
    return api_key, f"{prefix}_{secret}"


@transaction.atomic
def apikey_revoke(*, prefix: str) -> ApiKey:
    """Revoke a key. In-process caches stop honouring it within API_KEY_CACHE_SECONDS."""
    api_key = ApiKey.objects.select_for_update().filter(prefix=prefix).first()
    if api_key is None:
        raise ApiKeyNotFound(f"No API key has the prefix {prefix!r}.")
    if api_key.revoked_at is None:
        api_key.revoked_at = clock.now()
        api_key.save(update_fields=["revoked_at"])
    return api_key


# Staff members and buyers' sign-in links ------------------------------------------------------

_POINT_ID = re.compile(r"[A-Za-z0-9._-]{1,100}")
# Django's username holds at most 150 characters, and the username is the address.
EMAIL_MAX_LENGTH = 150
PORTAL_LINK_SECONDS_MIN, PORTAL_LINK_SECONDS_MAX, PORTAL_LINK_SECONDS_DEFAULT = 60, 7 * 24 * 3600, 24 * 3600
_SELLER_ROLES = (StaffRole.SELLER_MANAGER, StaffRole.SELLER_WAREHOUSE)
_PASSWORD_BYTES = 15  # 120 bits, 20 characters


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, errors=[{"loc": ["body", "payload", field], "msg": message, "type": "invalid"}])


def _staff_email(email: str) -> str:
    address = email.strip().lower()
    try:
        validate_email(address)
    except DjangoValidationError as error:
        raise _invalid("email", f"{email!r} is not an email address.") from error
    if len(address) > EMAIL_MAX_LENGTH:
        raise _invalid("email", f"An email address of a staff member has at most {EMAIL_MAX_LENGTH} characters.")
    return address


def _staff_placement(
    role: StaffRole, seller: str | None, carrier: str | None, point_id: str | None
) -> tuple[Seller | None, str, str]:
    """The seller, carrier and point a role needs, each refused where the role takes none."""
    if role in _SELLER_ROLES and not seller:
        raise _invalid("seller", f"A {role} acts for a seller: name it by its external id.")
    if role not in _SELLER_ROLES and seller:
        raise _invalid("seller", f"Only seller staff act for a seller; {with_article(role).lower()} does not.")
    if role is StaffRole.COUNTER:
        if not carrier or not carrier_name_valid(carrier):
            raise _invalid(
                "carrier", "Counter staff name their carrier: 1 to 50 lowercase letters, digits and hyphens."
            )
        if not point_id or _POINT_ID.fullmatch(point_id) is None:
            raise _invalid(
                "point_id", "Counter staff name their drop-off point: 1 to 100 of A-Z, a-z, 0-9, '.', '_', '-'."
            )
    else:
        if carrier:
            raise _invalid("carrier", "Only counter staff name a carrier.")
        if point_id:
            raise _invalid("point_id", "Only counter staff name a drop-off point.")
    found = None
    if seller:
        found = Seller.objects.filter(external_id=seller).first()
        if found is None:
            raise SellerNotFound(f"No seller has the external id {seller!r}.")
    return found, carrier or "", point_id or ""


def _new_password() -> str:
    return secrets.token_urlsafe(_PASSWORD_BYTES)


def staff_create(
    *,
    email: str,
    role: str,
    name: str = "",
    seller: str | None = None,
    carrier: str | None = None,
    point_id: str | None = None,
) -> tuple[StaffMembership, str]:
    """Create a staff member who signs in with ``email`` and a generated password, returned with
    it: the password is shown once and only its hash is kept."""
    address = _staff_email(email)
    try:
        staff_role = StaffRole(role)
    except ValueError as error:
        roles = ", ".join(member.value for member in StaffRole)
        raise _invalid("role", f"{role!r} is not a staff role; one of {roles}.") from error
    seller_row, carrier_slug, point = _staff_placement(staff_role, seller, carrier, point_id)
    password = _new_password()
    try:
        with transaction.atomic():
            user_model = get_user_model()
            if user_model.objects.select_for_update().filter(username=address).exists():
                raise StaffExists(f"A staff member already signs in as {address!r}.")
            user = user_model.objects.create_user(username=address, email=address, password=password)
            membership = StaffMembership.objects.create(
                user=user,
                role=staff_role,
                seller=seller_row,
                carrier=carrier_slug,
                point_id=point,
                name=name.strip(),
                created_at=clock.now(),
            )
    except IntegrityError as error:
        # Another request created the same address between the check and the insert.
        raise StaffExists(f"A staff member already signs in as {address!r}.") from error
    return membership, password


def _locked_staff(staff_id: int) -> StaffMembership:
    membership = (
        StaffMembership.objects.select_for_update(of=("self", "user"))
        .select_related("user")
        .filter(user_id=staff_id)
        .first()
    )
    if membership is None:
        raise StaffNotFound(f"No staff member has the id {staff_id}.")
    return membership


@transaction.atomic
def staff_update(*, staff_id: int, name: str | None = None, active: bool | None = None) -> StaffMembership:
    """Rename a staff member, or deactivate (signed out at their next request) or reactivate one."""
    membership = _locked_staff(staff_id)
    if name is not None:
        membership.name = name.strip()
        membership.save(update_fields=["name"])
    if active is not None and membership.user.is_active != active:
        membership.user.is_active = active
        membership.user.save(update_fields=["is_active"])
    return membership


@transaction.atomic
def staff_password_reset(*, staff_id: int) -> tuple[StaffMembership, str]:
    """Give a staff member a new generated password, returned once. Every session they have ends:
    a session remembers a digest of the password it was started with."""
    membership = _locked_staff(staff_id)
    password = _new_password()
    membership.user.set_password(password)
    membership.user.save(update_fields=["password"])
    return membership, password


def _link_create(*, buyer: Buyer, lifetime: timedelta, return_code: str = "") -> tuple[MagicLink, str]:
    token = new_secret()
    now = clock.now()
    link = MagicLink.objects.create(
        digest=digest_secret(token),
        buyer=buyer,
        return_code=return_code,
        expires_at=now + lifetime,
        created_at=now,
    )
    return link, token


def magic_link_url(*, origin: str, token: str) -> str:
    return f"{origin}/buyer/link/{token}"


def _sign_in_mail(address: str, url: str, minutes: int) -> None:
    send_mail(
        subject=str(_("Your returndesk sign-in link")),
        message=str(
            _(
                "Open this link to sign in to returndesk and follow your returns:\n\n%(url)s\n\n"
                "It works once, for %(minutes)d minutes. If you did not ask for it, ignore this message."
            )
            % {"url": url, "minutes": minutes}
        ),
        from_email=None,
        recipient_list=[address],
    )


def buyer_sign_in_request(*, email: str, client: str, origin: str) -> None:
    """Mail each buyer with this address (any case) a one-time sign-in link, valid 15 minutes.

    Answers the same, and takes the same limits, whether or not any buyer has the address: the
    answer tells nobody who buys here. Refused (429) past 3 requests an hour for one address or 20
    for one client. The mail leaves after the links are committed.
    """
    link_request_count(email=email, client=client)
    lifetime = timedelta(seconds=settings.RETURNDESK["SIGN_IN_LINK_SECONDS"])
    with transaction.atomic():
        buyers = list(Buyer.objects.filter(email__iexact=email.strip()).order_by("pk")) if email.strip() else []
        for buyer in buyers:
            _, token = _link_create(buyer=buyer, lifetime=lifetime)
            url = magic_link_url(origin=origin, token=token)
            after_commit(_sign_in_mail, buyer.email, url, int(lifetime.total_seconds()) // 60)


def portal_link_create(
    *, buyer: Buyer, origin: str, return_code: str = "", expires_in: int = PORTAL_LINK_SECONDS_DEFAULT
) -> tuple[str, datetime]:
    """A sign-in link for ``buyer`` that the platform hands over itself (in its own mail or app):
    (url, expires_at). Landing on ``return_code`` when given; its caller checked the return is
    the buyer's."""
    if not PORTAL_LINK_SECONDS_MIN <= expires_in <= PORTAL_LINK_SECONDS_MAX:
        raise _invalid("expires_in", f"expires_in is {PORTAL_LINK_SECONDS_MIN} to {PORTAL_LINK_SECONDS_MAX} seconds.")
    with transaction.atomic():
        link, token = _link_create(buyer=buyer, lifetime=timedelta(seconds=expires_in), return_code=return_code)
    return magic_link_url(origin=origin, token=token), link.expires_at


# How long after a link was used its page's Sign in, pressed again, still signs the buyer in: a
# double press comes within a second; a page left open on a shared computer does not.
REPEATED_SIGN_IN = timedelta(seconds=10)


def magic_link_consume(*, token: str, form: str = "") -> MagicLink:
    """Use a sign-in link, once: the link with its buyer, or 410 ``sign_in_link_invalid`` when it
    was used, has expired or never existed.

    One conditional UPDATE claims it, so of two requests racing with one link exactly one wins.
    ``form`` is the token of the link page the Sign in came from: a browser drops the first
    answer (and the session it set) when a second press leaves, so that page's second press,
    within ``REPEATED_SIGN_IN`` of the first and before the link expires, signs in again, once
    (another conditional UPDATE takes the token back). Any other use is refused.
    """
    now = clock.now()
    digest = digest_secret(token)
    form_digest = digest_secret(form) if form else ""
    live = MagicLink.objects.filter(digest=digest, expires_at__gt=now)
    with transaction.atomic():
        claimed = live.filter(used_at__isnull=True).update(used_at=now, used_form=form_digest)
        if claimed != 1 and not (
            form_digest
            and live.filter(used_form=form_digest, used_at__gt=now - REPEATED_SIGN_IN).update(used_form="") == 1
        ):
            raise SignInLinkInvalid(
                "This sign-in link was already used, has expired, or is not one of ours. Ask for a new one below."
            )
        return MagicLink.objects.select_related("buyer").get(digest=digest)


def magic_links_purge(*, now: datetime | None = None) -> int:
    """Delete links that expired over a day ago; returns how many went."""
    cutoff = (now or clock.now()) - timedelta(days=1)
    deleted, _ = MagicLink.objects.filter(expires_at__lt=cutoff).delete()
    return deleted
