"""free_port: each xdist worker hands out its own ports, below the ephemeral range, never one
somebody listens on (a shared port made a test talk to another worker's server)."""

from __future__ import annotations

import socket

import pytest

from tests.support import stack
from tests.support.stack import free_port


def test_workers_draw_from_disjoint_slices_below_the_ephemeral_range(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: dict[str, set[int]] = {}
    for worker in ("gw0", "gw1", "gw7"):
        monkeypatch.setenv("PYTEST_XDIST_WORKER", worker)
        seen[worker] = {free_port() for _ in range(20)}
        assert all(20000 <= port < 32768 for port in seen[worker])
    assert not seen["gw0"] & seen["gw1"] and not seen["gw1"] & seen["gw7"]
    assert not seen["gw0"] & seen["gw7"]


def test_a_port_somebody_listens_on_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw3")
    ports = stack._slice()
    taken: list[socket.socket] = []
    try:
        for port in ports:  # listen on the whole slice but its last port
            if port == ports[-1]:
                break
            sock = socket.socket()
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                sock.close()
                continue
            sock.listen()
            taken.append(sock)
        assert free_port() == ports[-1]
    finally:
        for sock in taken:
            sock.close()
