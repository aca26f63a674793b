"""The tool library and loans within the garden."""

from datetime import timedelta

import pytest
from django.core.management import call_command

from garden.core.errors import RuleError
from garden.members.models import Notification
from garden.sharing import services
from garden.sharing.models import Loan, Tool


def days(n: int):
    return services.garden_today() + timedelta(days=n)


def loan_payload(start: int, end: int) -> dict:
    return {"start_date": str(days(start)), "end_date": str(days(end)), "note": "for the beds"}


def test_coordinator_adds_tools_members_cannot(api, coordinator, member):
    payload = {"name": "Wheelbarrow", "condition": "worn", "lend_to_neighbours": True}
    assert api(member).post("/tools", payload).status_code == 403
    response = api(coordinator).post("/tools", payload)
    assert response.status_code == 201
    assert response.json()["lend_to_neighbours"] is True
    assert api(coordinator).post("/tools", {"name": "X", "condition": "shiny"}).status_code == 422


def test_member_requests_a_loan_and_coordinators_hear_of_it(api, member, coordinator, tool):
    response = api(member).post(f"/tools/{tool.pk}/loans", loan_payload(1, 2))
    assert response.status_code == 201
    assert response.json()["status"] == "requested"
    assert Notification.objects.filter(user=coordinator, kind="sharing_loan_request").exists()


@pytest.mark.parametrize(
    "start, end, message",
    [(2, 1, "end on or after"), (-1, 1, "past"), (0, 100, "at most")],
)
def test_bad_loan_dates_are_refused(api, member, tool, start, end, message):
    response = api(member).post(f"/tools/{tool.pk}/loans", loan_payload(start, end))
    assert response.status_code == 409
    assert message in response.json()["detail"]


def test_tool_not_lent_to_members_cannot_be_requested(api, member, coordinator):
    tool = services.create_tool(coordinator, name="Scythe", lend_to_members=False)
    assert api(member).post(f"/tools/{tool.pk}/loans", loan_payload(1, 1)).status_code == 409


def test_loan_goes_requested_approved_lent_returned(api, member, coordinator, tool):
    loan_id = api(member).post(f"/tools/{tool.pk}/loans", loan_payload(1, 2)).json()["id"]
    assert api(member).post(f"/loans/{loan_id}/decision", {"approve": True}).status_code == 403
    steps = [
        (f"/loans/{loan_id}/decision", {"approve": True}, "approved"),
        (f"/loans/{loan_id}/lent", None, "lent"),
        (
            f"/loans/{loan_id}/returned",
            {"condition_note": "Handle loose", "condition": "repair"},
            "returned",
        ),
    ]
    for path, payload, status in steps:
        response = api(coordinator).post(path, payload)
        assert response.status_code == 200, response.content
        assert response.json()["status"] == status
    assert api(coordinator).post(f"/loans/{loan_id}/lent").status_code == 409
    tool.refresh_from_db()
    assert tool.condition == Tool.Condition.REPAIR
    assert Loan.objects.get().return_note == "Handle loose"
    kinds = Notification.objects.filter(user=member, kind="sharing_loan").count()
    assert kinds == 3


def test_no_overlapping_approved_loans_for_one_tool(member, other_member, coordinator, tool):
    first = services.request_loan(member, tool, start_date=days(1), end_date=days(3))
    second = services.request_loan(other_member, tool, start_date=days(3), end_date=days(4))
    services.decide_loan(coordinator, first, approve=True)
    with pytest.raises(RuleError) as error:
        services.decide_loan(coordinator, second, approve=True)
    assert error.value.status == 409
    with pytest.raises(RuleError):
        services.request_loan(other_member, tool, start_date=days(2), end_date=days(2))
    adjacent = services.request_loan(other_member, tool, start_date=days(4), end_date=days(5))
    assert services.decide_loan(coordinator, adjacent, approve=True).status == "approved"


def test_availability_shows_booked_days(api, member, coordinator, tool):
    loan = services.request_loan(member, tool, start_date=days(1), end_date=days(2))
    services.decide_loan(coordinator, loan, approve=True)
    booked = api(member).get(f"/tools/{tool.pk}").json()["booked"]
    assert booked == [{"start": str(days(1)), "end": str(days(2))}]


def test_borrower_may_cancel_others_may_not(api, member, other_member, tool):
    loan = services.request_loan(member, tool, start_date=days(1), end_date=days(2))
    assert api(other_member).post(f"/loans/{loan.pk}/cancel").status_code == 403
    assert api(member).post(f"/loans/{loan.pk}/cancel").json()["status"] == "cancelled"


def test_overdue_reminders_go_out_once_a_day(member, coordinator, tool):
    loan = services.request_loan(member, tool, start_date=days(0), end_date=days(1))
    services.decide_loan(coordinator, loan, approve=True)
    services.mark_lent(coordinator, loan)
    assert services.send_overdue_reminders(today=days(1)) == 0
    assert services.send_overdue_reminders(today=days(2)) == 1
    assert services.send_overdue_reminders(today=days(2)) == 0
    assert Notification.objects.filter(user=member, kind="sharing_overdue").count() == 1
    assert Notification.objects.filter(user=coordinator, kind="sharing_overdue").count() == 1
    call_command("sharing_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_retiring_a_tool_declines_open_requests(member, coordinator, tool):
    loan = services.request_loan(member, tool, start_date=days(1), end_date=days(2))
    services.retire_tool(coordinator, tool)
    loan.refresh_from_db()
    assert loan.status == Loan.Status.DECLINED
    assert not services.library().exists()


def test_lent_tool_cannot_be_retired(member, coordinator, tool):
    loan = services.request_loan(member, tool, start_date=days(0), end_date=days(2))
    services.decide_loan(coordinator, loan, approve=True)
    services.mark_lent(coordinator, loan)
    with pytest.raises(RuleError):
        services.retire_tool(coordinator, tool)


def test_loans_list_shows_mine_and_for_coordinators_all_of_ours(api, member, coordinator, tool):
    services.request_loan(member, tool, start_date=days(1), end_date=days(2))
    assert api(member).get("/loans").json()["count"] == 1
    assert api(coordinator).get("/loans").json()["count"] == 1
    assert api(coordinator).get("/loans").json()["items"][0]["borrower"] == "Mara"


def test_share_radius_is_set_by_coordinators(api, member, coordinator):
    assert api(member).put("/sharing/settings", {"share_radius_km": 5}).status_code == 403
    assert api(coordinator).put("/sharing/settings", {"share_radius_km": -1}).status_code == 422
    response = api(coordinator).put("/sharing/settings", {"share_radius_km": 25})
    expected = {"share_radius_km": 25.0, "hop_limit": 1, "claims_from_peers_only": False}
    assert response.json() == expected
    assert api(member).get("/sharing/settings").json() == expected
    response = api(coordinator).put("/sharing/settings", {"share_radius_km": 25, "hop_limit": 0})
    assert response.json()["hop_limit"] == 0
    bad = api(coordinator).put("/sharing/settings", {"share_radius_km": 25, "hop_limit": 2})
    assert bad.status_code == 422


def test_expiry_and_reminders_are_periodic_jobs():
    from garden.core.periodic import registered_jobs

    names = {job.name for job in registered_jobs()}
    assert {
        "garden.sharing.tasks.expire_offers",
        "garden.sharing.tasks.send_overdue_reminders",
    } <= names


def test_loans_list_is_paged_newest_first(api, member, tool):
    for start in (1, 4, 7):
        services.request_loan(member, tool, start_date=days(start), end_date=days(start + 1))
    first = api(member).get("/loans?limit=2").json()
    assert first["count"] == 3
    assert [loan["start_date"] for loan in first["items"]] == [str(days(7)), str(days(4))]
    rest = api(member).get("/loans?limit=2&offset=2").json()["items"]
    assert [loan["start_date"] for loan in rest] == [str(days(1))]
    assert api(member).get("/loans?limit=501").json()["count"] == 3  # capped at 500, not refused
    assert api(member).get(f"/loans?offset={10**20}").status_code == 422
