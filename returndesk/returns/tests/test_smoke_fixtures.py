from returndesk.returns import services
from returndesk.returns.domain.lifecycle import Status
from returndesk.testing import NOW


def test_fixtures_open_and_approve_a_return(make_return, keys):
    ret = make_return()
    approved = services.return_approve(code=ret.code, actor=keys.actors["seller_a"], now=NOW)
    assert approved.status == Status.APPROVED
    response = keys.client("seller_a").get(f"/api/v1/returns/{ret.code}")
    assert response.status_code == 200
    assert [event["action"] for event in response.json()["timeline"]] == ["request", "approve"]
