#!/usr/bin/env python3
"""Derives oxsec's embedded copy of the Wazuh API contract from the upstream OpenAPI spec.

The server embeds the result (crates/server/openapi/wazuh-api.json) to validate every request's
parameters exactly as the spec declares them and to serve GET /openapi.json. Descriptions and
examples are dropped: the server needs the structure (paths, parameters, schemas, x-rbac-actions),
not the prose. Run it again when the target Wazuh version changes:

    python3 scripts/gen-openapi.py ../shared/reference/wazuh-api-4.14.7-spec.yaml
"""
import json
import sys
from pathlib import Path

import yaml

DROP = {"description", "example", "examples", "externalDocs"}


def strip(node):
    if isinstance(node, dict):
        # Prose only: a parameter or schema property that is *named* `description` stays.
        return {k: strip(v) for k, v in node.items() if not (k in DROP and (k != "description" or isinstance(v, str)))}
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node


def main():
    src = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/reference/wazuh-api-4.14.7-spec.yaml")
    out = Path(__file__).resolve().parent.parent / "crates/server/openapi/wazuh-api.json"
    spec = yaml.safe_load(src.read_text())
    doc = {
        "openapi": spec["openapi"],
        "info": {k: v for k, v in spec["info"].items() if k in ("title", "version", "license")},
        "servers": spec.get("servers", []),
        # kept whole: GET /security/actions serves its descriptions and examples
        "x-rbac-catalog": spec["x-rbac-catalog"],
        "components": strip(spec["components"]),
        "tags": [{"name": t["name"]} for t in spec.get("tags", [])],
        "security": spec.get("security", []),
        "paths": strip(spec["paths"]),
    }
    out.write_text(json.dumps(doc, separators=(",", ":"), default=str) + "\n")
    ops = sum(1 for p in doc["paths"].values() for m in p if m in ("get", "post", "put", "delete"))
    print(f"wrote {out} ({ops} operations)")


if __name__ == "__main__":
    main()
