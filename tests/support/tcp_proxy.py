"""A TCP proxy for fault tests (no toxiproxy here): forward, cut every connection, refuse, restore.

It runs its own event loop in a thread so a synchronous test can drive it:

    proxy = TcpProxy("127.0.0.1", 5672).start()
    ... point a process at proxy.port ...
    proxy.cut()       # drop every live connection and refuse new ones
    proxy.restore()   # accept again
    proxy.delay_s = 3 # hold every chunk this long: a peer that is slow, not gone
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from urllib.parse import urlsplit, urlunsplit

from tests.support.stack import free_port


class TcpProxy:
    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.port = free_port()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self.accepting = True
        self.connections_seen = 0
        self.delay_s = 0.0

    def start(self) -> TcpProxy:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._listen(), self._loop).result(5)
        return self

    def cut(self) -> None:
        """Close every live connection (both ends) and refuse new ones until restore()."""
        asyncio.run_coroutine_threadsafe(self._cut(), self._loop).result(5)

    def restore(self) -> None:
        self.accepting = True

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)

    async def _handle(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        if not self.accepting:
            client_w.close()
            return
        try:
            up_r, up_w = await asyncio.open_connection(*self.upstream)
        except OSError:
            client_w.close()
            return
        self.connections_seen += 1
        self._writers |= {client_w, up_w}
        await asyncio.gather(self._pipe(client_r, up_w), self._pipe(up_r, client_w))
        self._writers -= {client_w, up_w}

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                if self.delay_s:
                    await asyncio.sleep(self.delay_s)
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    async def _cut(self) -> None:
        self.accepting = False
        for writer in list(self._writers):
            with contextlib.suppress(Exception):
                writer.transport.abort()
        self._writers.clear()

    async def _close(self) -> None:
        await self._cut()
        if self._server is not None:
            self._server.close()


def url_via(url: str, port: int) -> str:
    """``url`` (credentials and path kept) pointed at a proxy listening on ``port``."""
    parts = urlsplit(url)
    auth = f"{parts.username}:{parts.password}@" if parts.username else ""
    return urlunsplit((parts.scheme, f"{auth}127.0.0.1:{port}", parts.path, "", ""))
