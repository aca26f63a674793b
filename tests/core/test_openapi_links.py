"""The OpenAPI links that let clients (and the stateful fuzzer) follow a new object's id."""

from garden.api import api


def _links(path: str) -> dict:
    operation = api.get_openapi_schema()["paths"][f"/api/v1{path}"]["post"]
    return operation["responses"]["201"]["links"]


def test_a_new_proposal_links_to_its_operations_and_its_thread():
    links = _links("/proposals")
    assert links["garden_decisions_api_vote"]["parameters"] == {"proposal_id": "$response.body#/id"}
    assert links["garden_conversations_api_post_message"]["parameters"] == {
        "kind": "proposal",
        "object_id": "$response.body#/id",
    }


def test_a_kind_link_is_made_only_for_a_kind_the_path_accepts():
    assert _links("/offers")["garden_conversations_api_list_messages"]["parameters"]["kind"] == (
        "offer"
    )
    claims = _links("/offers/{offer_id}/claims")
    assert not any("conversations" in name for name in claims)
