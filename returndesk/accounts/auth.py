"""Who is calling: a bearer API key, or a session signed in on the pages, becomes the ``Actor``
every service receives."""

from __future__ import annotations

from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest
from django.middleware.csrf import rotate_token
from ninja.security import HttpBearer

from returndesk.accounts.errors import SignInFailed
from returndesk.accounts.limits import sign_in_attempt_count
from returndesk.accounts.models import StaffMembership
from returndesk.accounts.selectors import apikey_authenticate
from returndesk.accounts.services import magic_link_consume
from returndesk.core.actors import Actor, ActorKind, StaffRole
from returndesk.core.clients import request_client_address
from returndesk.marketplace.models import Buyer


class ApiKeyAuth(HttpBearer):
    def __call__(self, request: HttpRequest) -> Actor | None:
        # Straight from META: ``request.headers`` copies every header on each request.
        scheme, _, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Actor | None:
        return apikey_authenticate(token=token)


# Sessions: people signed in on the pages ------------------------------------------------------

# The session key naming a buyer signed in by link (staff are Django's own signed-in users).
BUYER_SESSION_KEY = "returndesk_buyer_id"
_ACTOR_CACHE = "_returndesk_session_actor"


def _staff_actor(membership: StaffMembership) -> Actor:
    user_id = f"user:{membership.user_id}"
    role = StaffRole(membership.role)
    if role in (StaffRole.SELLER_MANAGER, StaffRole.SELLER_WAREHOUSE):
        return Actor(kind=ActorKind.SELLER_USER, id=user_id, seller_id=membership.seller_id, staff_role=role)
    if role is StaffRole.COUNTER:
        return Actor(
            kind=ActorKind.CARRIER,
            id=user_id,
            carrier=membership.carrier,
            point_id=membership.point_id,
            staff_role=role,
        )
    return Actor(kind=ActorKind.AGENT, id=user_id, supervisor=role is StaffRole.SUPERVISOR, staff_role=role)


def _session_actor(request: HttpRequest) -> Actor | None:
    buyer_id = request.session.get(BUYER_SESSION_KEY)
    if buyer_id is not None:
        external_id = Buyer.objects.filter(pk=buyer_id).values_list("external_id", flat=True).first()
        return None if external_id is None else Actor(kind=ActorKind.BUYER, id=external_id, buyer_id=buyer_id)
    # Django's user: None once deactivated (the backend refuses inactive users) or once the
    # password changed (the session's password digest no longer matches).
    user = request.user
    if not user.is_authenticated or not user.is_active:
        return None
    membership = StaffMembership.objects.filter(user_id=user.pk).first()
    return None if membership is None else _staff_actor(membership)


def session_actor(request: HttpRequest) -> Actor | None:
    """The person signed in on this request's session, as the actor every service receives, or
    None: signed out, a deactivated staff member (signed out at their next request), a user
    without a staff membership (a Django admin)."""
    if not hasattr(request, _ACTOR_CACHE):
        setattr(request, _ACTOR_CACHE, _session_actor(request))
    actor: Actor | None = getattr(request, _ACTOR_CACHE)
    return actor


def _forget_actor(request: HttpRequest) -> None:
    if hasattr(request, _ACTOR_CACHE):
        delattr(request, _ACTOR_CACHE)


def staff_sign_in(request: HttpRequest, *, email: str, password: str) -> Actor:
    """Sign a staff member in on this session, under a new session key.

    Wrong password, unknown address, deactivated account and a user without a staff membership
    all answer 400 ``sign_in_failed``. Every attempt counts against the address's and the client's
    limits before the password is checked (429 ``rate_limited`` past them, alike for every address).
    """
    address, client = email.strip().lower(), request_client_address(request)
    sign_in_attempt_count(email=address, client=client)
    user = authenticate(request, username=address, password=password)
    membership = StaffMembership.objects.filter(user_id=user.pk).first() if user is not None else None
    if user is None or membership is None:
        raise SignInFailed("The email or password is not right, or the account is not active.")
    # Whatever the session held before (a buyer signed in by link) goes with its key.
    request.session.flush()
    login(request, user)
    _forget_actor(request)
    return _staff_actor(membership)


def buyer_sign_in(request: HttpRequest, *, token: str, form: str = "") -> tuple[Actor, str]:
    """Use a sign-in link and sign its buyer in on this session, under a new session key: the
    actor and the return code the link lands on (empty when none). ``form``: the link page's
    one-time token (``magic_link_consume``)."""
    link = magic_link_consume(token=token, form=form)
    # Flushing signs out whoever was signed in and gives the session a new key.
    logout(request)
    rotate_token(request)
    request.session[BUYER_SESSION_KEY] = link.buyer_id
    _forget_actor(request)
    return Actor(kind=ActorKind.BUYER, id=link.buyer.external_id, buyer_id=link.buyer_id), link.return_code


def sign_out(request: HttpRequest) -> None:
    """End the session, whoever it was for: its data goes and its cookie stops naming anyone."""
    logout(request)
    _forget_actor(request)
