"""One managed Atlas stack for the browser tests and the widget bench, and a host page server.

The host pages are served from ``http://localhost:<port>``, another origin than the gateway
(``http://127.0.0.1:<port>``), so the widget runs cross-origin exactly as on a customer's site:
the gateway's ``ATLAS_CORS_ORIGIN`` names the host origin (CORS and ``frame-ancestors``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

from tests.support.stack import Stack, free_port, wait_for_workers
from tests.support.stacks import isolated_stack

PASSWORD = "a long enough password"
ADMIN = {"email": "admin@example.com", "password": PASSWORD, "name": "Ada Admin"}


@dataclass
class HostServer:
    """Static pages on another origin: path -> (body, content type)."""

    origin: str
    pages: dict[str, tuple[bytes, str]] = field(default_factory=dict)

    def put(self, path: str, body: str | bytes, content_type: str = "text/html") -> str:
        data = body.encode() if isinstance(body, str) else body
        self.pages[path] = (data, content_type)
        return self.origin + path


def _handler(host: HostServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            page = host.pages.get(self.path.split("?")[0])
            if page is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("content-type", page[1])
            self.send_header("content-length", str(len(page[0])))
            self.end_headers()
            self.wfile.write(page[0])

        def log_message(self, *args: object) -> None:  # quiet
            return

    return Handler


@contextmanager
def host_server(port: int) -> Iterator[HostServer]:
    host = HostServer(f"http://localhost:{port}")
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(host))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield host
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Site:
    url: str
    admin_token: str
    stack: Stack
    host: HostServer

    def create_key(self, name: str) -> dict[str, str]:
        r = httpx.post(
            self.url + "/api/auth/api-key/create",
            json={"name": name},
            timeout=10,
            headers={"authorization": f"Bearer {self.admin_token}"},
        )
        assert r.status_code == 200, r.text
        return {"id": r.json()["id"], "key": r.json()["key"]}


@contextmanager
def managed_site(directory: Path, gateway_env: dict[str, str] | None = None) -> Iterator[Site]:
    """Keys, managed auth, query-api, one worker and a gateway that lets the host origin in."""
    host_port = free_port()
    env = {"ATLAS_DEMO_DB_PATH": str(directory / "demo.duckdb")}
    with isolated_stack(directory, env) as (stack, _), host_server(host_port) as host:
        stack.start_keys()
        stack.start_auth(
            {
                "ATLAS_AUTH_MODE": "managed",
                "BETTER_AUTH_SECRET": "p" * 40,
                "ATLAS_AUTH_ARGON2_TIME_COST": "1",
                "ATLAS_AUTH_ARGON2_MEMORY_KIB": "8192",
            }
        )
        stack.start_query_api()
        stack.start("atlas-query-worker", "worker-1")
        url = stack.start_gateway(
            extra_env={"ATLAS_CORS_ORIGIN": host.origin, **(gateway_env or {})}
        )
        wait_for_workers(url, 1)
        r = httpx.post(url + "/api/auth/sign-up/email", json=ADMIN, timeout=10)
        assert r.status_code == 200, r.text
        yield Site(url, r.json()["token"], stack, host)
