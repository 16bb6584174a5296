"""HTTPS to a pinned address: TLS still verifies the certificate against the URL's name."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import trustme

from atlas_scheduler.delivery.config import DeliverySettings
from atlas_scheduler.delivery.dispatch import Delivery
from tests.scheduler.delivery.conftest import ANSWER, run, task, unique
from tests.scheduler.delivery.receivers import HttpReceiver
from tests.support.inprocess import serve


async def _deliver_over_tls(
    settings: Callable[..., DeliverySettings], tmp_path: Path, cert_name: str
) -> tuple[str, HttpReceiver, str]:
    ca = trustme.CA()
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    ca.issue_cert(cert_name).private_key_and_cert_chain_pem.write_to_path(
        str(tmp_path / "server.pem")
    )
    receiver = HttpReceiver()
    async with serve(receiver.app(), ssl_certfile=str(tmp_path / "server.pem")) as url:
        port = url.rsplit(":", 1)[1]
        path = unique("tls")
        delivery = Delivery(settings(webhook_ca_file=str(tmp_path / "ca.pem")))
        try:
            hook = {"type": "webhook", "url": f"https://localhost:{port}{path}"}
            outcome = await delivery(task("webhook", hook), run(), ANSWER)
        finally:
            await delivery.aclose()
    return f"{outcome.status} {outcome.error}", receiver, path


async def test_https_is_verified_for_the_name(
    settings: Callable[..., DeliverySettings], tmp_path: Path
) -> None:
    result, receiver, path = await _deliver_over_tls(settings, tmp_path, "localhost")
    assert result == "delivered None"
    [got] = receiver.at(path)
    assert got.headers["host"].startswith("localhost:")
    assert json.loads(got.body)["question"] == ANSWER.question


async def test_a_certificate_for_another_name_is_refused(
    settings: Callable[..., DeliverySettings], tmp_path: Path
) -> None:
    result, receiver, path = await _deliver_over_tls(settings, tmp_path, "other.example")
    assert result == "failed_permanent localhost: ConnectError (after 3 attempts)"
    assert receiver.at(path) == []
