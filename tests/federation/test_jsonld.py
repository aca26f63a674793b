"""Every document we serve survives JSON-LD expansion by PyLD with the vendored contexts.

Every activity we send is checked too, by the autouse fixture in tests/conftest.py, in
whichever test makes the outbox store it (tests/jsonld.py does the comparing).
"""

import pytest
from django.test import Client

from federation.contexts import AS_CONTEXT, DI_CONTEXT, MULTIKEY_CONTEXT, document_loader
from federation.outbox import publish
from tests.jsonld import AS, SEC, expand, expansion_problems

ACCEPT = {"HTTP_ACCEPT": "application/activity+json"}


def served(path: str) -> dict:
    response = Client().get(path, **ACCEPT)
    assert response.status_code == 200, path
    return response.json()


def test_actor_keys_survive_expansion(garden):
    actor = served("/actor")
    assert expansion_problems(actor) == []
    [node] = expand(actor)
    [method] = node[SEC + "assertionMethod"]
    assert method["@type"] == [SEC + "Multikey"]
    assert method[SEC + "publicKeyMultibase"][0]["@value"].startswith("z6Mk")


@pytest.mark.django_db
def test_collections_and_activities_survive_expansion(garden):
    row = publish({"type": "Update", "object": served("/actor")}, to=[], public=True)
    uuid = row.activity_id.rsplit("/", 1)[1]
    for path in ("/outbox", "/outbox?page=1", "/followers", f"/activities/{uuid}"):
        assert expansion_problems(served(path)) == [], path
    [page] = expand(served("/outbox?page=1"))
    assert len(page[AS + "items"][0]["@list"]) == 1


def test_the_old_actor_context_is_caught_dropping_assertion_method(garden):
    actor = {**served("/actor"), "@context": [AS_CONTEXT, DI_CONTEXT, MULTIKEY_CONTEXT]}
    problems = expansion_problems(actor)
    assert any(problem.startswith("$.assertionMethod: dropped") for problem in problems)


def test_an_undefined_term_is_caught():
    note = {"@context": AS_CONTEXT, "id": "https://a.example/1", "type": "Note", "crop": "Kohl"}
    assert "$.crop: dropped or not expanded to " + AS + "crop" in expansion_problems(note)


def test_a_term_meaning_something_else_is_caught():
    context = [AS_CONTEXT, {"name": "https://schema.org/name"}]
    note = {"@context": context, "id": "https://a.example/1", "type": "Note", "name": "Kohl"}
    problems = expansion_problems(note)
    assert "$.name: dropped or not expanded to " + AS + "name" in problems
    assert "$: unexpected property https://schema.org/name" in problems


def test_contexts_are_never_fetched():
    with pytest.raises(LookupError):
        document_loader("https://example.org/context.jsonld")
