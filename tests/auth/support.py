"""Helpers for the auth tests: settings without the environment, an in-process server, a local
JWKS server, keys and tokens."""

from __future__ import annotations

import base64
import itertools
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.cookiejar import CookieJar, DefaultCookiePolicy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm

from atlas_auth.settings import AuthSettings
from atlas_common.internal import INTERNAL_TOKEN_HEADER
from atlas_common.settings import DEV_INTERNAL_TOKEN
from tests.support.inprocess import free_socket, isolated, serve  # noqa: F401 - re-exported

INTERNAL = {INTERNAL_TOKEN_HEADER: DEV_INTERNAL_TOKEN}
SECRET = "s" * 16 + "-test-secret-of-enough-length"
FAST_ARGON2 = {"ATLAS_AUTH_ARGON2_TIME_COST": 1, "ATLAS_AUTH_ARGON2_MEMORY_KIB": 8192}


IsolatedSettings = isolated(AuthSettings)


def make_settings(**values: Any) -> AuthSettings:
    return IsolatedSettings(**values)


def client(base_url: str, **kwargs: Any) -> httpx.AsyncClient:
    """A client with the internal token, as the gateway calls; it keeps no cookies."""
    headers = {**INTERNAL, **kwargs.pop("headers", {})}
    jar = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
    return httpx.AsyncClient(base_url=base_url, headers=headers, timeout=10, cookies=jar,
                             **kwargs)


_ips = itertools.count(1)


def new_ip() -> str:
    """A fresh client address, so per-address throttling of one test never hits another."""
    n = next(_ips)
    return f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"


# -- keys, tokens and the JWKS server ---------------------------------------------------------


@dataclass
class Key:
    kid: str
    alg: str
    private: Any
    jwk: dict[str, Any]

    def public_pem(self) -> bytes:
        pem: bytes = self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        return pem


def _jwk(private: Any, kid: str, alg: str) -> dict[str, Any]:
    public = private.public_key()
    algo: dict[str, Any] = {"RS": RSAAlgorithm, "PS": RSAAlgorithm, "ES": ECAlgorithm,
                            "Ed": OKPAlgorithm}
    data = json.loads(algo[alg[:2]].to_jwk(public))
    return {**data, "kid": kid, "use": "sig"}


def rsa_key(kid: str, alg: str = "RS256") -> Key:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return Key(kid, alg, private, _jwk(private, kid, alg))


def ec_key(kid: str) -> Key:
    private = ec.generate_private_key(ec.SECP256R1())
    return Key(kid, "ES256", private, _jwk(private, kid, "ES256"))


def ed_key(kid: str) -> Key:
    private = ed25519.Ed25519PrivateKey.generate()
    return Key(kid, "EdDSA", private, _jwk(private, kid, "EdDSA"))


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {"iss": ISSUER, "aud": AUDIENCE, "sub": "user-1", "iat": now, "exp": now + 600}
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


ISSUER = "https://idp.example.test/"
AUDIENCE = "atlas-api"


def sign(key: Key, payload: dict[str, Any] | None = None, **headers: Any) -> str:
    header = {"typ": "JWT", "kid": key.kid, **headers}
    return sign_raw(key, header, payload if payload is not None else claims())


def b64(data: bytes | str) -> str:
    raw = data.encode() if isinstance(data, str) else data
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def forge(header: dict[str, Any], payload: dict[str, Any], signature: bytes = b"") -> str:
    """A token with any header and payload, and the signature given (none by default)."""
    return ".".join([b64(json.dumps(header)), b64(json.dumps(payload)), b64(signature)])


def sign_raw(key: Key, header: dict[str, Any], payload: dict[str, Any]) -> str:
    """Sign any header (PyJWT refuses to encode some hostile ones itself)."""
    unsigned = b64(json.dumps({"alg": key.alg, **header})) + "." + b64(json.dumps(payload))
    signature = jwt.get_algorithm_by_name(key.alg).sign(unsigned.encode(), key.private)
    return unsigned + "." + b64(signature)


@dataclass
class JwksServer:
    """A local JWKS endpoint (``/jwks.json``) and a trap (``/trap/...``) counting every hit."""

    keys: list[dict[str, Any]] = field(default_factory=list)
    hits: Counter[str] = field(default_factory=Counter)
    url: str = ""

    def start(self) -> JwksServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.hits[self.path.split("?")[0]] += 1
                body = json.dumps({"keys": owner.keys}).encode()
                self.send_response(200 if self.path.startswith("/jwks.json") else 404)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                return None

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def jwks_hits(self) -> int:
        return self.hits["/jwks.json"]

    @property
    def trap_hits(self) -> int:
        return sum(n for path, n in self.hits.items() if path.startswith("/trap"))
