"""Everything that writes policy versions: each is one new, immutable row."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from django.core.management.color import no_style
from django.db import connections, transaction
from django.utils import timezone

from returndesk.core import clock
from returndesk.core.actors import CALLER_NOUN, Actor, ActorKind, StaffRole, with_article
from returndesk.core.errors import Forbidden, ForbiddenAction, ValidationFailed
from returndesk.core.locks import locked
from returndesk.marketplace.models import Seller
from returndesk.policies import selectors
from returndesk.policies.domain.policy import (
    CORE_DEFAULT,
    Problem,
    policy_changes_parse,
    policy_merge,
    policy_problems,
    policy_to_json,
)
from returndesk.policies.errors import WAREHOUSE_MAY_NOT_EDIT, OutsidePlatformBounds
from returndesk.policies.models import PolicyVersion

# The number the data migration gives the core's default.
DEFAULT_VERSION = 1


def policy_default_ensure(*, using: str = "default") -> None:
    """Make version 1, the core's default, where it is missing (a test database built from the
    models, or one a flush emptied), and remember it in this process.

    The number is written out (a flush need not reset the sequence), so the sequence is moved past
    it afterwards, as the migration's insert would have.
    """
    row = PolicyVersion.objects.using(using).filter(version=DEFAULT_VERSION).first()
    if row is None:
        with transaction.atomic(using=using):
            row = PolicyVersion.objects.using(using).create(
                version=DEFAULT_VERSION,
                seller=None,
                document=policy_to_json(CORE_DEFAULT),
                effective_at=timezone.now(),
                actor_kind=ActorKind.SYSTEM,
            )
            connection = connections[using]
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), [PolicyVersion]):
                    cursor.execute(sql)
    selectors.policy_versions_forget()
    selectors.versioned(row)


def _refusal_items(problems: Sequence[Problem], *, validation: bool) -> list[dict[str, object]]:
    if validation:
        return [{"loc": ["body", *problem.loc], "msg": problem.msg, "type": problem.code} for problem in problems]
    return [{"loc": ["body", *problem.loc], "code": problem.code, "msg": problem.msg} for problem in problems]


def _bounds_problems(changes: Mapping[str, object], *, default: bool) -> tuple[Problem, ...]:
    """Only the default holds ``seller_bounds``, and it always does."""
    if "seller_bounds" not in changes:
        return ()
    if default and changes["seller_bounds"] is None:
        return (Problem(("seller_bounds",), "invalid", "The default policy always holds seller_bounds."),)
    if not default and changes["seller_bounds"] is not None:
        return (Problem(("seller_bounds",), "invalid", "Only the default policy holds seller_bounds: send null."),)
    return ()


def policy_edit_gate(actor: Actor) -> None:
    """Refuse who may not change any policy: callers that only read them (403 ``forbidden``) and
    warehouse staff (403 ``forbidden_action``, the page's answer too)."""
    if actor.kind not in (ActorKind.PLATFORM, ActorKind.SELLER_KEY, ActorKind.SELLER_USER):
        raise Forbidden(f"{with_article(CALLER_NOUN[actor.kind])} may read policies, not change them.")
    if actor.staff_role is StaffRole.SELLER_WAREHOUSE:
        raise ForbiddenAction(WAREHOUSE_MAY_NOT_EDIT)


def policy_put(
    *, actor: Actor, seller: str, body: Mapping[str, object], now: datetime | None = None
) -> selectors.SellerPolicy:
    """Change a seller's policy (or, ``seller`` ``default``, the platform's): a new version holding
    every field, the ones ``body`` leaves out kept from the version in force (a seller's first
    takes the default's). A body equal to the version in force makes none and answers it.

    The platform may change any policy within the ranges and the EU floor; a seller's key or
    manager its own, within the default's ``seller_bounds`` too (422 ``outside_platform_bounds``);
    warehouse staff 403 ``forbidden_action``; a malformed value 422 ``validation_error``. One
    transaction, holding the seller's row lock (the default's: version 1's) from reading the
    version in force to inserting the next, so two PUTs for one seller never interleave. A
    seller's PUT reads the default's bounds without locking them: one that commits while a
    platform PUT tightens them is judged by the bounds before (locking version 1's row as well
    would deadlock with openings, whose insert takes the seller's and the version's rows). The
    version row is the audit record: it names who made it and when.
    """
    target = selectors.policy_seller_resolve(actor=actor, seller=seller)
    policy_edit_gate(actor)
    if target is None and actor.kind is not ActorKind.PLATFORM:
        raise ForbiddenAction("Only the platform changes the default policy; a seller changes its own.")
    changes, malformed = policy_changes_parse(body)
    malformed += _bounds_problems(changes, default=target is None)
    if malformed:
        raise ValidationFailed(
            " ".join(problem.msg for problem in malformed), errors=_refusal_items(malformed, validation=True)
        )
    with transaction.atomic():
        if target is None:
            locked(PolicyVersion.objects.filter(version=DEFAULT_VERSION)).get()
        else:
            locked(Seller.objects.filter(pk=target.pk)).get()
        now = now or clock.now()
        view = selectors.seller_policy(seller=target)
        current = view.in_force.policy if target is None else replace(view.in_force.policy, seller_bounds=None)
        policy = policy_merge(current, changes)
        seller_bounds = view.bounds if actor.kind is not ActorKind.PLATFORM else None
        problems = policy_problems(policy, current=current, bounds=seller_bounds, sent=changes)
        if problems:
            raise OutsidePlatformBounds(
                " ".join(problem.msg for problem in problems), errors=_refusal_items(problems, validation=False)
            )
        if policy == current:
            return view
        PolicyVersion.objects.create(
            seller=target,
            document=policy_to_json(policy),
            effective_at=now,
            actor_kind=actor.kind,
            actor_id=actor.id,
        )
        return selectors.seller_policy(seller=target)
