"""/api/v2/ pages every list; /api/v1/ keeps its plain arrays, marked deprecated."""

import pytest

from garden import api as apis
from garden.members.models import Announcement, ApiToken

PAGE_LIMIT = 500


def _gets(schema: dict) -> dict[str, dict]:
    return {path: methods["get"] for path, methods in schema["paths"].items() if "get" in methods}


def _answers_array(operation: dict) -> bool:
    content = operation["responses"].get("200", {}).get("content", {})
    return content.get("application/json", {}).get("schema", {}).get("type") == "array"


V1_GETS = _gets(apis.v1.get_openapi_schema())
V2_GETS = _gets(apis.v2.get_openapi_schema())
V1_ARRAYS = sorted(path for path, operation in V1_GETS.items() if _answers_array(operation))
# The array lists a coordinator can read without naming an object.
V1_PLAIN_ARRAYS = [path.removeprefix("/api/v1") for path in V1_ARRAYS if "{" not in path]
V2_PAGED = sorted(
    path.removeprefix("/api/v2")
    for path, operation in V2_GETS.items()
    if {"limit", "offset"} <= {parameter["name"] for parameter in operation.get("parameters", [])}
    and "{" not in path
)


def test_no_list_of_v2_answers_a_plain_array():
    arrays = [path for path, operation in V2_GETS.items() if _answers_array(operation)]
    assert not arrays, f"every list in v2 is paged (garden.core.paging): {arrays}"


def test_v2_has_every_operation_of_v1_and_the_same_ids():
    def ids(api) -> dict[tuple[str, str], str]:
        root = f"/api/v{api.version}"
        return {
            (path.removeprefix(root), method): operation["operationId"]
            for path, methods in api.get_openapi_schema()["paths"].items()
            for method, operation in methods.items()
        }

    assert ids(apis.v1) == ids(apis.v2)


def test_v1_marks_exactly_its_array_lists_deprecated():
    deprecated = sorted(path for path, op in V1_GETS.items() if op.get("deprecated"))
    assert deprecated == V1_ARRAYS
    assert len(V1_ARRAYS) >= 14  # plots, shifts, tasks, offers, claims, peers …
    v1 = apis.v1.get_openapi_schema()["paths"]
    assert not [
        (path, method)
        for path, methods in v1.items()
        for method, operation in methods.items()
        if method != "get" and operation.get("deprecated")
    ]
    assert not any(op.get("deprecated") for op in V2_GETS.values())


@pytest.mark.parametrize("path", V1_PLAIN_ARRAYS)
def test_a_v1_array_list_still_answers_an_array_and_names_its_successor(api, coordinator, path):
    response = api(coordinator).get(path)
    assert response.status_code == 200, response.content
    assert isinstance(response.json(), list)
    assert response.headers["Deprecation"] == "@1795996800"  # 2026-11-30, v2's first day
    assert response.headers["Link"] == f'</api/v2{path}>; rel="successor-version"'


@pytest.mark.parametrize("path", V2_PAGED)
def test_every_v2_list_is_a_page(api_v2, coordinator, path):
    response = api_v2(coordinator).get(path)
    assert response.status_code == 200, response.content
    assert set(response.json()) == {"items", "count"}
    assert "Deprecation" not in response.headers


@pytest.mark.parametrize("path", V2_PAGED)
@pytest.mark.parametrize(
    "query", [{"limit": PAGE_LIMIT + 1}, {"limit": 0}, {"offset": -1}], ids=str
)
def test_a_v2_page_out_of_bounds_is_refused(api_v2, coordinator, path, query):
    response = api_v2(coordinator).get(path, query)
    assert response.status_code == 422, response.content
    assert response.json()["fields"][0]["field"] in query


def test_the_link_keeps_the_query(api, member):
    response = api(member).get("/offers", {"status": "all"})
    assert response.headers["Link"] == '</api/v2/offers?status=all>; rel="successor-version"'


def test_v2_pages_with_limit_and_offset_and_counts_all(api_v2, member):
    for n in range(4):
        ApiToken.objects.create_token(member, f"token {n}")
    client = api_v2(member)  # its own token makes five
    first = client.get("/me/tokens", {"limit": 2}).json()
    rest = client.get("/me/tokens", {"limit": 2, "offset": 2}).json()
    last = client.get("/me/tokens", {"limit": 2, "offset": 4}).json()
    assert [first["count"], rest["count"], last["count"]] == [5, 5, 5]
    assert [len(first["items"]), len(rest["items"]), len(last["items"])] == [2, 2, 1]
    labels = [t["label"] for page in (first, rest, last) for t in page["items"]]
    assert labels == ["tests", "token 3", "token 2", "token 1", "token 0"]
    assert client.get("/me/tokens", {"offset": 5}).json() == {"items": [], "count": 5}


def test_v2_and_v1_list_the_same_items(api, api_v2, member, coordinator, garden):
    for n in range(3):
        Announcement.objects.create(garden=garden, author=coordinator, title=f"A{n}", body="b")
    legacy = api(member).get("/announcements").json()
    page = api_v2(member).get("/announcements").json()
    assert page["items"] == legacy
    assert page["count"] == 3


def test_v1_keeps_its_cap_while_v2_pages_past_it(api, api_v2, member, coordinator, garden):
    Announcement.objects.bulk_create(
        Announcement(garden=garden, author=coordinator, title=f"A{n}", body="b") for n in range(51)
    )
    assert len(api(member).get("/announcements").json()) == 50
    page = api_v2(member).get("/announcements", {"offset": 50}).json()
    assert page["count"] == 51
    assert len(page["items"]) == 1


def test_a_shared_path_answers_every_method_in_both_versions(api, api_v2, member):
    for client in (api(member), api_v2(member)):
        made = client.post("/me/tokens", {"label": "phone"})
        assert made.status_code == 201, made.content
        assert client.get("/me/tokens").status_code == 200


def test_v2_documents_itself(client, garden):
    response = client.get("/api/v2/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["version"] == "2"
    assert client.get("/api/v2/docs").status_code == 200


def test_v1_documents_the_headers_of_its_deprecated_lists():
    for path in V1_ARRAYS:
        headers = V1_GETS[path]["responses"]["200"]["headers"]
        assert headers["Deprecation"]["schema"]["const"] == "@1795996800"
        assert headers["Link"]["required"] is True
