"""The OpenAPI document served by the running binary is valid OpenAPI 3.1."""
import json

from openapi_spec_validator import validate


def test_openapi_document_is_valid(server):
    status, body = server.get("/api/openapi.json")
    assert status == 200
    document = json.loads(body)
    assert document["openapi"] == "3.1.0"
    validate(document)
    for path in ("/api/v1/health", "/api/v1/departments", "/api/v1/departments/{id}"):
        assert "get" in document["paths"][path]
