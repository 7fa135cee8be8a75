"""The OpenAPI document served by the running binary is valid OpenAPI 3.1, and the server answers as it says."""
import json
import os
import pathlib
import re

import pytest
import requests
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from conftest import DEMO_ROLES, Server, demo_server


def test_openapi_document_is_valid(server):
    status, body = server.get("/api/openapi.json")
    assert status == 200
    document = json.loads(body)
    assert document["openapi"] == "3.1.0"
    validate(document)
    for path in ("/api/v1/health", "/api/v1/departments", "/api/v1/departments/{id}"):
        assert "get" in document["paths"][path]


# The conformance check: real requests to every operation of the document, and each answer (status, content type,
# body) checked against what the document says. Anonymous and malformed requests here; the document must list every
# status the server gives them, and every refusal must be the error envelope.


@pytest.fixture(scope="module")
def contract():
    running = Server({"PSC_RATE_LIMITS_ENABLED": "false"})
    document = requests.get(running.url + "/api/openapi.json", timeout=10).json()
    yield running, document
    running.stop()


def operations(document):
    for path, item in sorted(document["paths"].items()):
        for method, operation in item.items():
            yield path, method, operation


def closed(schema):
    """The schema with every shape (an object listing required fields) closed to fields it does not name, so an answer
    carrying a field the document leaves out fails; open bags (no required fields, or additionalProperties) stay open."""
    if isinstance(schema, list):
        return [closed(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    result = {key: closed(value) for key, value in schema.items()}
    if schema.get("required") and "properties" in schema and "additionalProperties" not in schema:
        result["additionalProperties"] = False
    return result


def schema_for(document, response):
    schema = response.get("content", {}).get("application/json", {}).get("schema")
    if schema is None:
        return None
    return {**schema, "components": closed(document["components"])}


def problems(document, path, method, operation, status, content_type, body):
    """What is wrong with one answer by the document: its status undocumented, a refusal that is not JSON, or a body
    (`body()` reads it) that does not fit the documented schema."""
    documented = operation["responses"]
    if str(status) not in documented:
        return [f"{method.upper()} {path} answered {status}, not in {sorted(documented)}: {str(body())[:160]}"]
    found = []
    if status >= 400 and content_type != "application/json; charset=utf-8":
        found.append(f"{method.upper()} {path} {status} is {content_type}")
    schema = schema_for(document, documented[str(status)])
    # An answer in another documented media type (a CSV beside the JSON page) has no JSON body to check.
    if schema is not None and (status >= 400 or (content_type or "").startswith("application/json")):
        errors = list(Draft202012Validator(schema).iter_errors(body()))
        if errors:
            found.append(f"{method.upper()} {path} {status}: {errors[0].message} at {list(errors[0].absolute_path)}")
    return found


def check(document, path, method, operation, answer):
    found = problems(document, path, method, operation, answer.status_code, answer.headers.get("Content-Type"), answer.json)
    assert not found, found[0]
    return 1


# Operations whose answer never ends (Server-Sent Events): their status and media type are checked, not a body.
STREAMS = {("get", "/api/v1/notifications/stream")}


def call(caller, method, path, url, **kwargs):
    """One request by `requests` or a session; a stream's body is left unread and its connection closed."""
    if (method, path) not in STREAMS:
        return caller.request(method.upper(), url, **kwargs)
    answer = caller.request(method.upper(), url, stream=True, **kwargs)
    if answer.headers.get("Content-Type", "").startswith("text/event-stream"):
        answer.close()
    else:
        answer.content
    return answer


def concrete(path):
    return re.sub(r"\{[^}]+\}", "1", path)


def test_every_operation_answers_anonymous_callers_as_documented(contract):
    running, document = contract
    checked = 0
    for path, method, operation in operations(document):
        writes = method in ("post", "put", "patch")
        body = {"data": "{}", "headers": {"Content-Type": "application/json"}} if writes else {}
        answer = call(requests, method, path, running.url + concrete(path), allow_redirects=False, timeout=10, **body)
        checked += check(document, path, method, operation, answer)
        # The declared security is what the route enforces: `{}` (anyone) exactly when an anonymous call is served.
        anyone = {} in operation["security"]
        assert (answer.status_code == 401) != anyone, f"{method.upper()} {path} answered {answer.status_code}; security {operation['security']}"
    assert checked == sum(1 for _ in operations(document)) >= 100


def test_malformed_bodies_get_documented_refusals(contract):
    running, document = contract
    bodies = [
        ("{not json", "application/json"),  # unreadable
        ("[1, 2]", "application/json"),  # not an object
        ('{"a": 1}', "text/plain"),  # not JSON
        ('{"content": "bell \\u0007"}', "application/json"),  # a control character
    ]
    checked = 0
    for path, method, operation in operations(document):
        if "application/json" not in operation.get("requestBody", {}).get("content", {}):
            continue
        for text, content_type in bodies:
            answer = call(requests, method, path, running.url + concrete(path), data=text.encode(), headers={"Content-Type": content_type},
                allow_redirects=False, timeout=10)
            assert answer.status_code < 500, f"{method.upper()} {path}: {answer.text[:200]}"
            checked += check(document, path, method, operation, answer)
    assert checked >= 20 * len(bodies)


# Calls that would end the caller's own session or account partway through the sweep.
SELF_ENDING = {("post", "/api/v1/auth/logout"), ("delete", "/api/v1/users/me"), ("delete", "/api/v1/auth/sessions/{id}")}


@pytest.fixture(scope="module")
def demo_contract():
    running = demo_server()
    document = requests.get(running.url + "/api/openapi.json", timeout=10).json()
    yield running, document, running.passwords
    running.stop()


SCOPES = ["profile:read", "profile:write", "content:read", "content:write", "messages:read", "messages:write",
          "notifications:read", "notifications:write", "applications:read", "applications:write", "manage", "analytics:read",
          "admin", "metrics:read"]


def test_tokens_reach_exactly_the_operations_their_scope_names(demo_contract):
    """A personal access token with one scope, for every scope, against every operation that needs sign-in: refused
    with 403 `scope_missing` unless the document's bearer security names that scope."""
    running, document, passwords = demo_contract
    session = requests.Session()
    address, password = passwords["admin"]
    signed_in = session.post(running.url + "/api/v1/auth/login", json={"email": address, "password": password}, timeout=10)
    headers = {"X-CSRF-Token": signed_in.json()["csrf_token"]}
    tokens = {}
    for scope in SCOPES:
        made = session.post(running.url + "/api/v1/auth/tokens", json={"name": scope, "scopes": [scope]}, headers=headers, timeout=10)
        assert made.status_code == 201, made.text
        tokens[scope] = made.json()["token"]
    checked = 0
    for path, method, operation in operations(document):
        if {} in operation["security"] or (method, path) in SELF_ENDING | {("delete", "/api/v1/auth/tokens/{id}")}:
            continue
        allowed = {scope for requirement in operation["security"] for scope in requirement.get("bearer", [])}
        body = {"json": {}} if method in ("post", "put", "patch") else {}
        for scope, token in tokens.items():
            answer = call(requests, method, path, running.url + concrete(path), headers={"Authorization": f"Bearer {token}"}, allow_redirects=False,
                timeout=10, **body)
            refused = answer.status_code == 403 and answer.json().get("error") == "scope_missing"
            assert refused == (scope not in allowed), f"{method.upper()} {path} with a {scope} token: {answer.status_code} {answer.text[:120]}"
            checked += check(document, path, method, operation, answer)
    assert checked >= 60 * len(SCOPES)


def test_every_operation_answers_each_role_as_documented(demo_contract):
    """Signed in as each demo role (session cookie and CSRF token), every operation on item 1 with an empty object for
    writes: refusals by role (403), by state (409), by field (422) and successes must all be in the document."""
    running, document, passwords = demo_contract
    checked = 0
    for role in DEMO_ROLES:
        session = requests.Session()
        address, password = passwords[role]
        signed_in = session.post(running.url + "/api/v1/auth/login", json={"email": address, "password": password}, timeout=10)
        assert signed_in.status_code == 200, signed_in.text
        headers = {"X-CSRF-Token": signed_in.json()["csrf_token"]}
        for path, method, operation in operations(document):
            if (method, path) in SELF_ENDING:
                continue
            body = {"data": "{}", "headers": {**headers, "Content-Type": "application/json"}} if method in ("post", "put", "patch") else {
                "headers": headers}
            answer = call(session, method, path, running.url + concrete(path), allow_redirects=False, timeout=10, **body)
            assert answer.status_code < 500, f"{role}: {method.upper()} {path}: {answer.text[:200]}"
            checked += check(document, path, method, operation, answer)
            if method in ("post", "put", "patch"):
                # Without a body: a route that wants a JSON one says 415, and then the document must declare it.
                bare = call(session, method, path, running.url + concrete(path), headers=headers, allow_redirects=False, timeout=10)
                checked += check(document, path, method, operation, bare)
                if bare.status_code == 415:
                    assert "requestBody" in operation, f"{method.upper()} {path} reads a JSON body the document does not declare"
    assert checked >= 6 * 100
    with open(running.log_path) as log:
        assert "undeclared body type" not in log.read(), "a route decodes a body its declaration does not name"


# The end-to-end Swift tests (run before pytest by Tests/run-all.sh) record every /api exchange they make, with real
# ids, owners and bodies: each answer there must be documented too, and its body must fit the documented schema.
TRANSCRIPT = pathlib.Path(__file__).resolve().parents[2] / ".build" / "api-transcript.jsonl"


def template_for(document, method, path):
    """The document's path template a concrete path falls under, preferring literal segments (`/users/me` over
    `/users/{id}`); None when no operation of that method fits."""
    segments = path.strip("/").split("/")
    best, best_literals = None, -1
    for template, item in document["paths"].items():
        parts = template.strip("/").split("/")
        if method not in item or len(parts) != len(segments):
            continue
        if all(part.startswith("{") or part == segment for part, segment in zip(parts, segments)):
            literals = sum(1 for part in parts if not part.startswith("{"))
            if literals > best_literals:
                best, best_literals = template, literals
    return best


def test_end_to_end_answers_match_the_document(contract):
    if not TRANSCRIPT.exists():
        if os.environ.get("PSC_REQUIRE_API_TRANSCRIPT"):
            pytest.fail("run swift test first: it records .build/api-transcript.jsonl")
        pytest.skip("no transcript of the Swift end-to-end tests (run swift test first)")
    _, document = contract
    checked, failures = 0, set()
    operations_seen = set()
    for line in TRANSCRIPT.read_text().splitlines():
        exchange = json.loads(line)
        method, path = exchange["method"].lower(), exchange["path"]
        if method == "head":
            continue
        template = template_for(document, method, path)
        if template is None:
            # Paths or methods that no route serves (the tests' probes) must be refused.
            assert exchange["status"] in (404, 405, 413, 501), f"{method.upper()} {path} answered {exchange['status']} but is not documented"
            continue
        operation = document["paths"][template][method]
        operations_seen.add((method, template))
        checked += 1
        declared = {parameter["name"] for parameter in operation.get("parameters", []) if parameter["in"] == "query"}
        for name in set(exchange.get("query", [])) - declared:
            failures.add(f"{method.upper()} {template} was called with the query parameter {name}, which it does not document")
        # Answers that are not JSON were recorded without a body; their schemas are media types, not JSON ones.
        failures.update(problems(
            document, template, method, operation, exchange["status"], exchange["content_type"], lambda: exchange.get("body")))
    assert not failures, "\n".join(sorted(failures))
    assert checked >= 700, checked
    print(f"{checked} end-to-end answers over {len(operations_seen)} operations checked against the document")
