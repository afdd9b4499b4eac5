"""Carrier keys name their carrier: keys of one carrier share its drop-off points and counters.

``createkey --role carrier --carrier SLUG``; without ``--carrier`` a carrier key is a carrier of
its own, named by its prefix. Only carrier keys name a carrier.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction

from returndesk.accounts.errors import CarrierForCarriersOnly, InvalidCarrier
from returndesk.accounts.models import ApiKey
from returndesk.accounts.selectors import apikey_authenticate, apikey_cache_clear
from returndesk.accounts.services import apikey_create
from returndesk.core.actors import Actor, ActorKind
from returndesk.demo.seed import demo_seed
from returndesk.marketplace.models import Seller
from returndesk.scenarios.payloads import NOW


@pytest.fixture(autouse=True)
def _empty_key_cache():
    apikey_cache_clear()
    yield
    apikey_cache_clear()


def _createkey(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("createkey", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_createkey_makes_a_carrier_key_for_the_named_carrier(db):
    out, err = _createkey("--role", "carrier", "--carrier", "demo-post", "--name", "Counter 1")

    api_key = ApiKey.objects.get()
    assert err == f"Created {api_key.prefix} (carrier, Counter 1) for carrier demo-post.\n"
    assert apikey_authenticate(token=out.removesuffix("\n")) == Actor(
        kind=ActorKind.CARRIER, id=api_key.prefix, api_key_id=api_key.pk, carrier="demo-post"
    )


def test_a_carrier_key_without_a_carrier_is_a_carrier_of_its_own(db):
    out, err = _createkey("--role", "carrier")

    api_key = ApiKey.objects.get()
    assert err == f"Created {api_key.prefix} (carrier) for carrier {api_key.prefix}.\n"
    assert apikey_authenticate(token=out.removesuffix("\n")).carrier == api_key.prefix


def test_keys_naming_one_carrier_act_for_it_and_other_roles_for_none(db):
    first, _ = apikey_create(role="carrier", carrier="post-a")
    second, _ = apikey_create(role="carrier", carrier="post-a")
    platform, _ = apikey_create(role="platform")

    assert [(key.carrier, key.role) for key in (first, second, platform)] == [
        ("post-a", "carrier"),
        ("post-a", "carrier"),
        ("", "platform"),
    ]


@pytest.fixture
def seller(db) -> Seller:
    return Seller.objects.create(external_id="S-K", name="Seller K", country="DE", created_at=NOW)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "platform"], "Only a carrier key names a carrier; a platform key acts for none."),
        (["--role", "agent"], "Only a carrier key names a carrier; an agent key acts for none."),
        (["--role", "seller", "--seller", "S-K"], "Only a carrier key names a carrier; a seller key acts for none."),
    ],
    ids=["platform", "agent", "seller"],
)
def test_createkey_refuses_a_carrier_for_another_role(seller, args, message):
    with pytest.raises(CommandError) as refused:
        _createkey(*args, "--carrier", "demo-post")

    assert str(refused.value) == message
    assert ApiKey.objects.count() == 0


@pytest.mark.parametrize("carrier", ["", "Demo-Post", "post_a", "post a", "pöst", "a" * 51])
def test_createkey_refuses_a_carrier_that_is_not_1_to_50_of_lowercase_letters_digits_and_hyphens(db, carrier):
    with pytest.raises(CommandError) as refused:
        _createkey("--role", "carrier", "--carrier", carrier)

    assert str(refused.value) == (
        f"A carrier is named by 1 to 50 lowercase letters, digits and hyphens, so {carrier!r} cannot be one."
    )
    assert ApiKey.objects.count() == 0


@pytest.mark.parametrize("carrier", ["0", "-", "a" * 50, "post-2-go"])
def test_a_carrier_of_1_to_50_lowercase_letters_digits_and_hyphens_is_taken(db, carrier):
    api_key, _ = apikey_create(role="carrier", carrier=carrier)

    assert ApiKey.objects.get(pk=api_key.pk).carrier == carrier


def test_the_service_refuses_with_the_errors_codes(db):
    with pytest.raises(CarrierForCarriersOnly) as not_a_carrier:
        apikey_create(role="agent", carrier="post-a")
    with pytest.raises(InvalidCarrier) as invalid:
        apikey_create(role="carrier", carrier="Post")

    assert [(error.value.status, error.value.code) for error in (not_a_carrier, invalid)] == [
        (422, "carrier_for_carriers_only"),
        (422, "invalid_carrier"),
    ]


@pytest.mark.database
@pytest.mark.parametrize(("role", "carrier"), [("carrier", ""), ("platform", "post-a"), ("agent", "post-a")])
def test_the_database_refuses_a_key_whose_role_and_carrier_disagree(db, role, carrier):
    with pytest.raises(IntegrityError), transaction.atomic():
        ApiKey.objects.create(prefix="rdk_abcdefgh", digest="0" * 64, role=role, carrier=carrier, created_at=NOW)

    assert ApiKey.objects.count() == 0


def test_the_demo_carrier_key_acts_for_demo_post(db):
    demo_seed()

    assert list(ApiKey.objects.filter(role="carrier").values_list("carrier", flat=True)) == ["demo-post"]
