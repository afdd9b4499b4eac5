"""Return policies: a seller's (or the default's) policy, its new versions, one version by number."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest, HttpResponse
from ninja import Path, Router

from returndesk.core.api import actor_of, errors, respond
from returndesk.policies import selectors, services
from returndesk.policies.schemas import PolicyIn, PolicyOut, VersionOut, policy_data, version_data

router = Router(tags=["policies"])

# A version number: the database's bigint, so a larger one is 422, not an overflow.
VersionNumber = Annotated[int, Path(ge=1, le=2**63 - 1, description="The version's number")]


@router.get("/policies/versions/{version}", response={200: VersionOut, **errors(403, 404)})
def policy_version_get(request: HttpRequest, version: VersionNumber) -> HttpResponse:
    """One policy version by number: the platform and agents any; a seller its own and the
    default's (another seller's answers 404 ``not_found``, like a missing one)."""
    actor = actor_of(request)
    found = selectors.policy_version_get_for_actor(actor=actor, version=version)
    return respond(200, VersionOut, version_data(found, selectors.seller_external_id(found.seller_id)))


@router.get("/policies/{seller}", response={200: PolicyOut, **errors(403, 404)})
def policy_get(request: HttpRequest, seller: str) -> HttpResponse:
    """The policy in force for a seller (its external id, or ``default``): its own latest version,
    else the default's (``inherited``), with every field and the history of its versions. The
    platform and agents any; a seller its own (another's answers 404 ``seller_not_found``)."""
    view = selectors.policy_get_for_actor(actor=actor_of(request), seller=seller)
    return respond(200, PolicyOut, policy_data(view))


@router.put("/policies/{seller}", response={200: PolicyOut, **errors(403, 404)})
def policy_put(request: HttpRequest, seller: str, payload: PolicyIn) -> HttpResponse:
    """Change a policy: a new version holding every field (those left out keep their values), or,
    equal to the version in force, none. The platform any, ``default`` too, within the ranges and
    the EU's 14-day floor; a seller its own, within the default's ``seller_bounds`` (422
    ``outside_platform_bounds``, ``errors`` naming each value). Answers the version in force."""
    view = services.policy_put(actor=actor_of(request), seller=seller, body=payload.changes())
    return respond(200, PolicyOut, policy_data(view))
