"""The OpenAPI links that let clients (and the stateful fuzzer) follow a new object's id."""

import pytest

from garden import api

pytestmark = pytest.mark.parametrize("version", [api.v1, api.v2], ids=["v1", "v2"])


@pytest.fixture
def links_of(version):
    def links(path: str) -> dict:
        root = f"/api/v{version.version}"
        operation = version.get_openapi_schema()["paths"][f"{root}{path}"]["post"]
        return operation["responses"]["201"]["links"]

    return links


def test_a_new_proposallinks_of_to_its_operations_and_its_thread(links_of):
    links = links_of("/proposals")
    assert links["garden_decisions_api_vote"]["parameters"] == {"proposal_id": "$response.body#/id"}
    assert links["garden_conversations_api_post_message"]["parameters"] == {
        "kind": "proposal",
        "object_id": "$response.body#/id",
    }


def test_a_kind_link_is_made_only_for_a_kind_the_path_accepts(links_of):
    assert links_of("/offers")["garden_conversations_api_list_messages"]["parameters"]["kind"] == (
        "offer"
    )
    claims = links_of("/offers/{offer_id}/claims")
    assert not any("conversations" in name for name in claims)
