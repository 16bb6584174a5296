"""Encoded paths over every relayed route of a running Atlas (issue 22): each answers a 4xx
with the error envelope, never a 500, and ``/conversations/%2E%2E`` never reaches another
route of query-api (it used to reach ``GET /api/v1`` with the internal token)."""

from __future__ import annotations

import httpx
import pytest

FORMS = ["%2E%2E", "%2E", "a%2Fb", "%2F%2E%2E%2Fhealthz", "a%5Cb", "%1E", "%00", "%0D%0A",
         "%7F", "%C0%AE%C0%AE", "%C0%AF", "%E0%80%AE", "%FF"]
ROUTES = [
    ("GET", "/api/v1/conversations/{}"),
    ("DELETE", "/api/v1/conversations/{}"),
    ("PATCH", "/api/v1/conversations/{}/star"),
    ("POST", "/api/v1/conversations/{}/share"),
    ("DELETE", "/api/v1/conversations/{}/share"),
    ("GET", "/api/public/conversations/{}"),
    ("GET", "/api/v1/semantic/entities/{}"),
    ("GET", "/api/v1/admin/semantic/entities/{}"),
    ("GET", "/api/v1/admin/semantic/raw/{}"),
    ("GET", "/api/v1/admin/semantic/raw/entities/{}"),
    ("POST", "/api/v1/metrics/{}/run"),
    ("GET", "/api/v1/chat/{}/stream"),
    ("GET", "/api/v1/chat/{}/run-status"),
    ("GET", "/api/auth/{}"),
    ("GET", "/api/admin/users/{}"),
    ("POST", "/api/auth/api-key/{}"),
]
CODES = {"not_found", "invalid_request", "validation_error", "forbidden", "auth_error",
         "method_not_allowed"}


@pytest.mark.parametrize(("method", "template"), ROUTES)
def test_encoded_paths_are_client_errors(gateway: str, method: str, template: str) -> None:
    with httpx.Client(timeout=10) as client:
        for form in FORMS:
            url = httpx.URL(gateway).copy_with(raw_path=template.format(form).encode())
            body = {"starred": True} if template.endswith("/star") else {}
            r = client.request(method, url, json=body)
            assert 400 <= r.status_code < 500, (method, template, form, r.status_code, r.text)
            assert r.json()["error"] in CODES, (form, r.text)


def test_the_reported_paths(gateway: str) -> None:
    with httpx.Client(timeout=10) as client:
        for method, path in (("GET", "/api/v1/conversations/%1E"),
                             ("DELETE", "/api/v1/conversations/%1E"),
                             ("PATCH", "/api/v1/conversations/%1E/star")):
            url = httpx.URL(gateway).copy_with(raw_path=path.encode())
            r = client.request(method, url, json={"starred": True})
            assert r.status_code == 400 and r.json()["error"] == "invalid_request", r.text
        dots = httpx.URL(gateway).copy_with(raw_path=b"/api/v1/conversations/%2E%2E")
        r = client.get(dots)
        assert r.status_code == 400 and r.json()["error"] == "invalid_request", r.text
