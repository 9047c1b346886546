"""Verifies compact JWS tokens with joserfc, an independent JOSE implementation.

Reads {"jwks": {...}, "tokens": [...]} on stdin; prints one JSON line per token:
{"ok": true, "header": {...}, "payload": {...}} or {"ok": false, "error": "..."}.
Only ES256 is allowed, as our verifiers allow.
"""
import json
import sys

from joserfc import jws
from joserfc.jwk import KeySet

request = json.load(sys.stdin)
key_set = KeySet.import_key_set(request["jwks"])
for token in request["tokens"]:
    try:
        result = jws.deserialize_compact(token, key_set, algorithms=["ES256"])
        print(json.dumps({"ok": True, "header": result.protected, "payload": json.loads(result.payload)}))
    except Exception as error:  # any failure to verify is an answer, not a crash
        print(json.dumps({"ok": False, "error": type(error).__name__}))
