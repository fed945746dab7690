"""`livemode` on every object of a native API response, and one public entity id (docs/api.md, "Test mode").

A test key works on its entity's test books, an entity of their own; the API shows them under the
live entity's id, so a response never names the books' internal id, and says which books each object
comes from: every JSON object with an `object` or an `id` gets `livemode` (right after that key).
"""

from uuid import UUID

LIVEMODE = "livemode"
_CONTAINERS = (dict, list)


def with_livemode(data, entity):
    """Return a copy of response data whose objects carry `livemode`, naming test books by their public id."""
    livemode = entity.livemode
    books_id = None if livemode else str(entity.id)
    public_id = str(entity.public_id)

    def walk(value):
        if isinstance(value, dict):
            anchor = "object" if "object" in value else ("id" if "id" in value else None)
            if LIVEMODE in value:
                anchor = None  # marked already
            out = {}
            for key, item in value.items():
                # Most values are text or numbers, which live books leave as they are: no call each.
                out[key] = walk(item) if books_id is not None or isinstance(item, _CONTAINERS) else item
                if key == anchor:
                    out[LIVEMODE] = livemode
            return out
        if isinstance(value, list):
            return [walk(item) for item in value]
        if books_id is not None and isinstance(value, str | UUID) and str(value) == books_id:
            # The books' own id is shown nowhere: an entity_id, an activity row's object id, ...
            return public_id
        return value

    return walk(data)


def document_livemode(result: dict) -> None:
    """Add `livemode` to every response schema of the native API whose object has an `object` or an `id`."""
    schemas = result.get("components", {}).get("schemas", {})
    seen: set[str] = set()

    def visit(schema: dict) -> None:
        if not isinstance(schema, dict):
            return
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[1]
            if name not in seen and name in schemas:
                seen.add(name)
                visit(schemas[name])
            return
        properties = schema.get("properties")
        if isinstance(properties, dict):
            if ("object" in properties or "id" in properties) and LIVEMODE not in properties:
                properties[LIVEMODE] = {
                    "type": "boolean",
                    "readOnly": True,
                    "description": "true for live data, false for test data (a test key's).",
                }
                schema.setdefault("required", []).append(LIVEMODE)
            for value in properties.values():
                visit(value)
        for key in ("items", "additionalProperties"):
            visit(schema.get(key))
        for key in ("allOf", "oneOf", "anyOf"):
            for branch in schema.get(key, []):
                visit(branch)

    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/v1/"):
            continue
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for status, response in operation.get("responses", {}).items():
                if not str(status).startswith("2"):
                    continue
                for content in response.get("content", {}).values():
                    visit(content.get("schema", {}))
