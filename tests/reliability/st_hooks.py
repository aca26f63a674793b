"""Schemathesis hooks for test_schemathesis.py, loaded by ``st run`` (SCHEMATHESIS_HOOKS).

The fuzzer acts with real credentials on a real node, and some operations may take those
credentials away: revoking the token it calls with, removing or demoting the member or
coordinator it acts as. Each is a legitimate operation (tested in tests/members/), but
done by the fuzzer it would leave the rest of the run answering 401/403 and testing
nothing. So a call aimed at one of the run's own tokens or memberships is sent to an id
that does not exist (a 404) instead; every other call goes out as generated.
"""

import json
import os
import re

import schemathesis

PROTECTED = json.loads(os.environ.get("ALLMENDE_ST_PROTECTED", "{}"))
UNUSED_ID = 2**31 - 2

# path template below the API root (/api/v1, /api/v2) → (path parameter, which protected ids)
GUARDED = {
    "/me/tokens/{pk}": ("pk", "tokens"),
    "/memberships/{pk}": ("pk", "memberships"),
    "/memberships/{pk}/role": ("pk", "memberships"),
    "/memberships/{pk}/decision": ("pk", "memberships"),
}


@schemathesis.hook
def before_call(context, case, **kwargs):
    guard = GUARDED.get(re.sub(r"^/api/v\d+", "", case.operation.path))
    if guard is None or not case.path_parameters:
        return
    name, kind = guard
    if str(case.path_parameters.get(name)) in {str(i) for i in PROTECTED.get(kind, [])}:
        case.path_parameters[name] = UNUSED_ID
