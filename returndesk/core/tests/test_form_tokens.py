"""Idempotency scoped by actor: a signed-in page's one-time form token runs its effect once per
(actor, path, token), and API keys keep their own scope (kind, prefix), migrated records too."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from returndesk.core.actors import Actor, ActorKind
from returndesk.core.errors import IdempotencyKeyReused, ValidationFailed
from returndesk.core.idempotency import once_per_token
from returndesk.core.models import IdempotencyRecord
from returndesk.marketplace.models import Order
from returndesk.policies.domain.reasons import Reason
from returndesk.returns import services
from returndesk.returns.domain.requests import RequestedLine
from returndesk.returns.errors import QuantityExceeded
from returndesk.returns.models import Return
from returndesk.testing import NOW, Keys

pytestmark = pytest.mark.database
PATH = "/buyer/orders/O-1/return"


def buyer(order: Order) -> Actor:
    return Actor(kind=ActorKind.BUYER, id=order.buyer.external_id, buyer_id=order.buyer_id)


def open_return(order: Order, actor: Actor, quantity: int = 1, line: str = "L1") -> Callable[[], str]:
    def effect() -> str:
        lines = [RequestedLine(line=line, quantity=quantity, reason=Reason.SIZE_FIT)]
        return services.return_open(actor=actor, order_external_id=order.external_id, lines=lines, now=NOW).code

    return effect


@pytest.mark.django_db
def test_a_repeated_form_token_answers_what_the_first_submit_did(make_order: Callable[..., Order]) -> None:
    order = make_order()
    actor = buyer(order)
    form = {"L1": "1", "reason": "size_fit"}

    first = once_per_token(actor=actor, token="t-1", path=PATH, fingerprint=form, effect=open_return(order, actor))
    repeat = once_per_token(actor=actor, token="t-1", path=PATH, fingerprint=form, effect=open_return(order, actor))

    record = IdempotencyRecord.objects.get()
    assert (first, repeat, Return.objects.count()) == (Return.objects.get().code, first, 1)
    assert (record.actor_kind, record.actor_id, record.method, record.path) == ("buyer", "B-1", "POST", PATH)


@pytest.mark.django_db
def test_a_token_is_scoped_to_its_actor_and_path(make_order: Callable[..., Order]) -> None:
    order = make_order()
    platform = Actor(kind=ActorKind.PLATFORM, id="rdk_platform")

    codes = [
        once_per_token(
            actor=buyer(order), token="t-1", path=PATH, fingerprint={}, effect=open_return(order, buyer(order))
        ),
        once_per_token(actor=platform, token="t-1", path=PATH, fingerprint={}, effect=open_return(order, platform)),
        once_per_token(
            actor=buyer(order),
            token="t-1",
            path=f"{PATH}/2",
            fingerprint={},
            effect=open_return(order, buyer(order), line="L2"),
        ),
    ]

    assert (len(set(codes)), Return.objects.count(), IdempotencyRecord.objects.count()) == (3, 3, 3)


@pytest.mark.django_db
def test_the_same_token_with_another_form_is_refused(make_order: Callable[..., Order]) -> None:
    order = make_order()
    actor = buyer(order)
    once_per_token(actor=actor, token="t-1", path=PATH, fingerprint={"L1": "1"}, effect=open_return(order, actor))

    with pytest.raises(IdempotencyKeyReused):
        once_per_token(actor=actor, token="t-1", path=PATH, fingerprint={"L1": "2"}, effect=open_return(order, actor))

    assert Return.objects.count() == 1


@pytest.mark.django_db
def test_a_refused_effect_records_nothing_so_the_corrected_form_goes_through(make_order: Callable[..., Order]) -> None:
    order = make_order()
    actor = buyer(order)

    with pytest.raises(QuantityExceeded):
        once_per_token(
            actor=actor, token="t-1", path=PATH, fingerprint={"L1": "9"}, effect=open_return(order, actor, 9)
        )
    recorded_after_refusal = IdempotencyRecord.objects.count()
    code = once_per_token(
        actor=actor, token="t-1", path=PATH, fingerprint={"L1": "1"}, effect=open_return(order, actor)
    )

    assert (recorded_after_refusal, Return.objects.get().code) == (0, code)


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["", "x" * 256])
def test_a_token_must_be_one_to_255_characters(make_order: Callable[..., Order], token: str) -> None:
    order = make_order()

    with pytest.raises(ValidationFailed):
        once_per_token(
            actor=buyer(order), token=token, path=PATH, fingerprint={}, effect=open_return(order, buyer(order))
        )

    assert Return.objects.count() == 0


@pytest.mark.django_db
def test_an_api_keys_idempotency_record_is_scoped_to_its_kind_and_prefix(
    keys: Keys, make_order: Callable[..., Order]
) -> None:
    order = make_order()
    body = {"order": order.external_id, "lines": [{"line": "L1", "quantity": 1, "reason": "defective"}]}

    keys.client("platform").post(
        "/api/v1/returns", body, content_type="application/json", headers={"Idempotency-Key": "k"}
    )

    assert list(IdempotencyRecord.objects.values_list("actor_kind", "actor_id")) == [
        ("platform", keys.actors["platform"].id)
    ]


# --- The migration ------------------------------------------------------------------------------

BY_KEY = [("core", "0001_initial")]
BY_ACTOR = [("core", "0002_idempotency_actor_scope")]


def migrate(targets: list[tuple[str, str]]) -> Any:
    MigrationExecutor(connection).migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("migrations")
def test_existing_records_keep_their_keys_scope_and_going_back_forgets_them(keys: Keys) -> None:
    apps = migrate(BY_KEY)
    old_record = apps.get_model("core", "IdempotencyRecord")
    for name in ("seller_a", "agent"):
        old_record.objects.create(
            api_key_id=keys.actors[name].api_key_id,
            method="POST",
            path="/api/v1/returns",
            path_digest="d",
            key="k",
            body_digest="b",
            created_at=NOW,
        )

    apps = migrate(BY_ACTOR)
    moved = apps.get_model("core", "IdempotencyRecord").objects.order_by("id")
    scopes = list(moved.values_list("actor_kind", "actor_id", "key"))
    left_after_going_back = migrate(BY_KEY).get_model("core", "IdempotencyRecord").objects.count()

    assert scopes == [("seller_key", keys.actors["seller_a"].id, "k"), ("agent", keys.actors["agent"].id, "k")]
    assert left_after_going_back == 0
