"""The OpenAPI document served by the running binary is valid OpenAPI 3.1, and the server answers as it says."""
import json
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


def schema_for(document, response):
    schema = response.get("content", {}).get("application/json", {}).get("schema")
    if schema is None:
        return None
    return {**schema, "components": document["components"]}


def check(document, path, method, operation, answer):
    documented = operation["responses"]
    assert str(answer.status_code) in documented, (
        f"{method.upper()} {path} answered {answer.status_code}, not in {sorted(documented)}: {answer.text[:200]}")
    if answer.status_code >= 400:
        assert answer.headers["Content-Type"] == "application/json; charset=utf-8", f"{method.upper()} {path}"
    schema = schema_for(document, documented[str(answer.status_code)])
    if schema is not None:
        errors = list(Draft202012Validator(schema).iter_errors(answer.json()))
        assert not errors, f"{method.upper()} {path} {answer.status_code}: {errors[0].message}"
    return 1


def concrete(path):
    return re.sub(r"\{[^}]+\}", "1", path)


def test_every_operation_answers_anonymous_callers_as_documented(contract):
    running, document = contract
    checked = 0
    for path, method, operation in operations(document):
        writes = method in ("post", "put", "patch")
        body = {"data": "{}", "headers": {"Content-Type": "application/json"}} if writes else {}
        answer = requests.request(method.upper(), running.url + concrete(path), allow_redirects=False, timeout=10, **body)
        checked += check(document, path, method, operation, answer)
        if answer.status_code == 401:
            assert operation.get("security"), f"{method.upper()} {path} needs sign-in but declares no security"
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
            answer = requests.request(
                method.upper(), running.url + concrete(path), data=text.encode(), headers={"Content-Type": content_type},
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
            answer = session.request(method.upper(), running.url + concrete(path), allow_redirects=False, timeout=10, **body)
            assert answer.status_code < 500, f"{role}: {method.upper()} {path}: {answer.text[:200]}"
            checked += check(document, path, method, operation, answer)
            if method in ("post", "put", "patch"):
                # Without a body: a route that wants a JSON one says 415, and then the document must declare it.
                bare = session.request(method.upper(), running.url + concrete(path), headers=headers, allow_redirects=False, timeout=10)
                checked += check(document, path, method, operation, bare)
                if bare.status_code == 415:
                    assert "requestBody" in operation, f"{method.upper()} {path} reads a JSON body the document does not declare"
    assert checked >= 6 * 100
    with open(running.log_path) as log:
        assert "undeclared body type" not in log.read(), "a route decodes a body its declaration does not name"
