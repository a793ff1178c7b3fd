"""OpenAPI schema post-processing: the error answers every operation can give (issue 10).

drf-spectacular documents what a view's serializers return; the refusals come from the shared
plumbing instead (``gridgov.api.exception_handler``, authentication, permissions, scoping),
so they are documented here once for every operation, with the one error body of
``gridgov.api``: ``{"detail": "...", "code": "...", "errors": {field: [messages]}}``.

- 400 where the operation changes something (its service may refuse, ``DomainError``) or reads
  query parameters (bad input, R22.1),
- 401 where the operation accepts a token or session (no, bad or expired token),
- 403 where it requires authentication (the role may not, R20.1),
- 404 where the path names an object (unknown, or outside the jurisdiction: R22.1), and on
  paginated lists (a page past the end).

An operation's own documentation of a status (its description, e.g. "wrong username or
password") is kept; only a missing body schema is filled in. 409 and 429 stay documented only
by the operations that raise them (``gridgov.errors.Conflict`` / ``RateLimited``).
"""

from __future__ import annotations

from typing import Any

ERROR_COMPONENT = "Error"

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "An error answer (gridgov.api.exception_handler).",
    "properties": {
        "detail": {"type": "string", "description": "The reason, to show to a person."},
        "code": {"type": "string", "description": "Machine-readable reason (domain errors)."},
        "errors": {
            "type": "object",
            "description": "Field name → messages (nested for nested fields).",
            "additionalProperties": {},
        },
        "retry_after": {"type": "integer", "description": "Seconds to wait (429)."},
    },
    "required": ["detail"],
    "additionalProperties": True,
}

DESCRIPTIONS = {
    "400": "Bad input: field messages in `errors`; nothing changed",
    "401": "Not authenticated: no, bad or expired token",
    "403": "The role may not do this",
    "404": "Not found (or outside the jurisdiction)",
    "409": "A resend whose content differs from the stored one",
    "429": "Too many requests: see Retry-After",
}
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _needs_auth(operation: dict[str, Any], default: list[dict[str, Any]]) -> bool:
    security = operation.get("security", default)
    # An empty requirement ({}) means anonymous calls are allowed.
    return bool(security) and all(requirement for requirement in security)


def _reads_input(method: str, operation: dict[str, Any]) -> bool:
    # A change can be refused by its service (gridgov.errors.DomainError) even without a body.
    if method != "get" or "requestBody" in operation:
        return True
    return any(p.get("in") == "query" for p in operation.get("parameters", []))


def _names_object(path: str, operation: dict[str, Any]) -> bool:
    if any(p.get("in") == "path" for p in operation.get("parameters", [])):
        return True
    return "{" in path


def _is_paginated(operation: dict[str, Any]) -> bool:
    return any(p.get("name") == "page" for p in operation.get("parameters", []))


def error_statuses(
    path: str, method: str, operation: dict[str, Any], default_security: list
) -> list[str]:
    """The error statuses ``operation`` can answer with, besides its own documented ones."""
    statuses = []
    if _reads_input(method, operation):
        statuses.append("400")
    security = operation.get("security", default_security)
    if security and any(requirement for requirement in security):
        # A bad or expired token is refused even where anonymous calls are allowed.
        statuses.append("401")
    if _needs_auth(operation, default_security):
        statuses.append("403")
    if _names_object(path, operation) or _is_paginated(operation):
        statuses.append("404")
    return statuses


def add_error_responses(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """drf-spectacular POSTPROCESSING_HOOKS entry: document the shared error answers."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components[ERROR_COMPONENT] = ERROR_SCHEMA
    content = {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}}}
    default_security = result.get("security", [])
    for path, item in result.get("paths", {}).items():
        for method in HTTP_METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            for status in error_statuses(path, method, operation, default_security):
                responses.setdefault(status, {"description": DESCRIPTIONS[status]})
            for status, response in responses.items():
                if status in DESCRIPTIONS and "content" not in response:
                    response["content"] = content
            operation["responses"] = dict(sorted(responses.items()))
    return result
