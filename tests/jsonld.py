"""Expand a document with a real JSON-LD processor (PyLD) and say what it lost.

A property a processor drops is invisible to every server that reads JSON-LD (Fedify did not
see our keys). ``expansion_problems`` walks the document and its expanded form side by side:
every property must survive, as the IRI we intend, with the same values and types. Only the
vendored contexts are loaded (federation.contexts.document_loader), never the network.
"""

from pyld import jsonld

from federation.contexts import ALLMENDE_NS, document_loader

AS = "https://www.w3.org/ns/activitystreams#"
SEC = "https://w3id.org/security#"

# What a term means where it is not ActivityStreams' own (AS is the default). A
# (type, term) entry is for a term that means something else inside that type.
INTENDED = {
    # so ActivityStreams defines them
    "inbox": "http://www.w3.org/ns/ldp#inbox",
    "orderedItems": AS + "items",
    "assertionMethod": SEC + "assertionMethod",
    "controller": SEC + "controller",
    "publicKeyMultibase": SEC + "publicKeyMultibase",
    ("Multikey", "expires"): SEC + "expiration",
    "publicKey": SEC + "publicKey",
    "owner": SEC + "owner",
    "publicKeyPem": SEC + "publicKeyPem",
    "proof": SEC + "proof",
    "cryptosuite": SEC + "cryptosuite",
    "created": "http://purl.org/dc/terms/created",
    "verificationMethod": SEC + "verificationMethod",
    "proofPurpose": SEC + "proofPurpose",
    "proofValue": SEC + "proofValue",
    # garden/sharing
    **{
        term: ALLMENDE_NS + term
        for term in (
            "quantity quantityLeft unit pickupFrom pickupUntil pickupPlace expires condition "
            "conditionNote status offeredBy claimant borrower busy start end"
        ).split()
    },
}
INTENDED_TYPES = {
    "Multikey": SEC + "Multikey",
    "DataIntegrityProof": SEC + "DataIntegrityProof",
    **{kind: ALLMENDE_NS + kind for kind in ("Produce", "Tool", "Claim", "Loan")},
}

# Values of vocabulary-typed terms (proofPurpose) expand to IRIs.
INTENDED_VALUES = {"assertionMethod": SEC + "assertionMethod"}


def expand(document: dict) -> list:
    return jsonld.expand(document, {"documentLoader": document_loader})


def intended_iri(term: str, types: list[str]) -> str:
    for kind in types:
        if (kind, term) in INTENDED:
            return INTENDED[(kind, term)]
    return INTENDED.get(term, AS + term)


def expansion_problems(document: dict) -> list[str]:
    """Everything a JSON-LD processor would lose or read differently; empty when none."""
    try:
        expanded = expand(document)
    except jsonld.JsonLdError as exc:
        return [f"expansion failed: {exc}"]
    problems: list[str] = []
    if len(expanded) != 1:
        return [f"expanded into {len(expanded)} nodes, not one"]
    _compare_node(document, expanded[0], "$", problems)
    return problems


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def _compare_node(compact: dict, node: dict, path: str, problems: list[str]) -> None:
    types = [kind for kind in _as_list(compact.get("type")) if isinstance(kind, str)]
    wanted_types = sorted(INTENDED_TYPES.get(kind, AS + kind) for kind in types)
    if sorted(node.get("@type", [])) != wanted_types:
        problems.append(f"{path}.type: {types} expanded to {node.get('@type')}")
    if "id" in compact and node.get("@id") != compact["id"]:
        problems.append(f"{path}.id: {compact['id']!r} expanded to {node.get('@id')!r}")
    expected = set()
    for term, value in compact.items():
        if term in ("@context", "id", "type"):
            continue
        iri = intended_iri(term, types)
        expected.add(iri)
        if iri not in node:
            problems.append(f"{path}.{term}: dropped or not expanded to {iri}")
            continue
        _compare_values(value, node[iri], f"{path}.{term}", problems)
    for iri in set(node) - expected - {"@id", "@type"}:
        problems.append(f"{path}: unexpected property {iri}")


def _compare_values(value, expanded: list, path: str, problems: list[str]) -> None:
    items = _as_list(value)
    flat = []
    for entry in expanded:
        flat.extend(entry.get("@list", entry.get("@graph", [entry])))
    if len(flat) != len(items):
        problems.append(f"{path}: {len(items)} value(s) expanded to {len(flat)}")
        return
    for index, (item, entry) in enumerate(zip(items, flat, strict=True)):
        where = f"{path}[{index}]"
        if isinstance(item, dict):
            if "@value" in entry:
                problems.append(f"{where}: an object became a literal")
            else:
                _compare_node(item, entry, where, problems)
        elif entry.get("@value", entry.get("@id")) not in (item, INTENDED_VALUES.get(item)):
            problems.append(f"{where}: {item!r} expanded to {entry!r}")
