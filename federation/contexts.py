"""JSON-LD contexts: which ones our documents name, and local copies of them.

A JSON-LD processor (Fedify, or any server that expands documents) drops every property its
contexts do not define. So the actor names the CID context (``assertionMethod``, ``Multikey``)
and security/v1 (``publicKey``, ``publicKeyPem`` for HTTP Signatures), and each domain app
defines its own terms with ``vocabulary``. ``tests/federation/test_jsonld.py`` expands every
document we serve or send with PyLD to prove it.

The context documents are vendored in ``contexts/`` (as published; see README there), so
neither the node nor the tests ever fetch one; ``document_loader`` serves only those.
"""

import json
from functools import cache
from pathlib import Path

AS_CONTEXT = "https://www.w3.org/ns/activitystreams"
SECURITY_V1_CONTEXT = "https://w3id.org/security/v1"
DI_CONTEXT = "https://w3id.org/security/data-integrity/v2"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"
CID_CONTEXT = "https://www.w3.org/ns/cid/v1"

# security/v1 first: it is not @protected, so the protected data-integrity and CID contexts
# after it may define the same terms again without a conflict.
ACTOR_CONTEXT = [AS_CONTEXT, SECURITY_V1_CONTEXT, DI_CONTEXT, CID_CONTEXT]
ACTIVITY_CONTEXT = [AS_CONTEXT, DI_CONTEXT]

# Terms of our own (Produce, quantity, Loan …). Only a stable name is needed: nothing is
# ever fetched from it.
ALLMENDE_NS = "urn:allmende:vocab#"

_FILES = {
    AS_CONTEXT: "activitystreams.json",
    SECURITY_V1_CONTEXT: "security-v1.json",
    DI_CONTEXT: "data-integrity-v2.json",
    MULTIKEY_CONTEXT: "multikey-v1.json",
    CID_CONTEXT: "cid-v1.json",
}
_DIR = Path(__file__).parent / "contexts"


def vocabulary(*terms: str, **typed: dict) -> dict:
    """An inline context for an app's own terms, each ``ALLMENDE_NS + term``.

    ``typed`` gives a term a full definition, e.g. ``busy={"@container": "@list"}``.
    """
    context = {term: ALLMENDE_NS + term for term in terms}
    for term, definition in typed.items():
        context[term] = {"@id": ALLMENDE_NS + term, **definition}
    return context


def vendored() -> set[str]:
    return set(_FILES)


@cache
def _read(url: str) -> str:
    return (_DIR / _FILES[url]).read_text()


def context_document(url: str) -> dict:
    """The published context document for ``url``; KeyError if we do not carry it."""
    return json.loads(_read(url))


def document_loader(url: str, options: dict | None = None) -> dict:
    """A JSON-LD document loader (PyLD's interface) that never touches the network."""
    if url not in _FILES:
        raise LookupError(f"Context not vendored, refusing to fetch it: {url}")
    return {"contextUrl": None, "documentUrl": url, "document": context_document(url)}
