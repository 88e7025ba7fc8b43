"""A TCP proxy between the driver and a real Neo4j that cuts a connection at a chosen Bolt message.

Bolt 5 sends each message as chunks (a 2-byte size, then the bytes; a zero size ends the
message), and a message is a PackStream struct: marker ``0xB0 + fields``, then its signature.
COMMIT has no fields (signature 0x12), so it is always the six bytes ``00 02 B0 12 00 00``;
BEGIN has one (its extras map, signature 0x11), so its message starts ``B1 11`` right after
a chunk header. The driver pipelines messages, so the proxy looks for them in the
client→server stream, whatever the read boundaries are.
"""

from __future__ import annotations

import re
import socket
import threading
from contextlib import suppress
from enum import Enum

__all__ = ["BoltProxy", "Cut"]

COMMIT = b"\x00\x02\xb0\x12\x00\x00"
BEGIN = re.compile(rb"\x00[\x01-\xff]\xb1\x11")
CARRY = len(COMMIT) - 1  # a message split across two reads is seen in the second
# How long the server gets to answer a COMMIT before the cut happens anyway.
COMMIT_REPLY_S = 10.0


class Cut(Enum):
    """Where the armed proxy cuts the next transaction's connection."""

    AFTER_COMMIT = "the COMMIT reaches the server, its reply never reaches the client"
    AT_BEGIN = "the BEGIN (and what is pipelined with it) never reaches the server"


class _Pipe:
    """One client connection and its upstream; each direction pumped by a thread."""

    def __init__(self, proxy: BoltProxy, client: socket.socket, server: socket.socket) -> None:
        self.proxy, self.client, self.server = proxy, client, server
        self.committed = threading.Event()  # the COMMIT went upstream: the next reply is dropped
        self._closed = threading.Lock()
        for target in (self._upstream, self._downstream):
            threading.Thread(target=target, daemon=True).start()

    def close(self) -> None:
        if self._closed.acquire(blocking=False):
            for s in (self.client, self.server):
                with suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()

    def _upstream(self) -> None:
        tail = b""
        try:
            while data := self.client.recv(65536):
                seen, tail = tail + data, (tail + data)[-CARRY:]
                cut = self.proxy.take_cut(COMMIT in seen, BEGIN.search(seen) is not None)
                if cut is Cut.AT_BEGIN:
                    return  # dropped: the server never sees this transaction
                if cut is Cut.AFTER_COMMIT:
                    self.committed.set()
                    self.server.sendall(data)
                    # the server's first bytes after it say it has committed (or failed);
                    # should it say nothing, cut anyway
                    timer = threading.Timer(COMMIT_REPLY_S, self.close)
                    timer.daemon = True
                    timer.start()
                    continue
                self.server.sendall(data)
        except OSError:
            pass
        finally:
            if not self.committed.is_set():
                self.close()

    def _downstream(self) -> None:
        try:
            while data := self.server.recv(65536):
                if self.committed.is_set():
                    self.proxy.cuts.append(Cut.AFTER_COMMIT)
                    return  # the server's reply to COMMIT, dropped
                self.client.sendall(data)
        except OSError:
            pass
        finally:
            self.close()


class BoltProxy:
    """Forwards ``127.0.0.1:port`` to ``upstream``; :meth:`arm` makes it cut the next
    transaction's connection once, where :class:`Cut` says, and with ``then_down`` also drop
    every other connection and each new one (a server that went away)."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.refuse = False
        self._then_down = False
        self.cuts: list[Cut] = []  # the cuts made, in order
        self._armed: Cut | None = None
        self._lock = threading.Lock()
        self._pipes: list[_Pipe] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    def arm(self, cut: Cut, *, then_down: bool = False) -> None:
        with self._lock:
            self._armed, self._then_down = cut, then_down

    def take_cut(self, commit: bool, begin: bool) -> Cut | None:
        """The cut to make on client bytes holding a COMMIT / a BEGIN, disarming; else None."""
        with self._lock:
            armed = self._armed
            if (armed is Cut.AFTER_COMMIT and commit) or (armed is Cut.AT_BEGIN and begin):
                self._armed = None
                if armed is Cut.AT_BEGIN:
                    self.cuts.append(armed)
                if self._then_down:
                    self.refuse = True
                    for pipe in self._pipes:
                        pipe.close()
                return armed
        return None

    def _accept(self) -> None:
        with suppress(OSError):
            while True:
                client, _ = self._listener.accept()
                if self.refuse:
                    client.close()
                    continue
                try:
                    server = socket.create_connection(self.upstream, timeout=10)
                except OSError:
                    client.close()
                    continue
                server.settimeout(None)
                self._pipes.append(_Pipe(self, client, server))

    def close(self) -> None:
        self._listener.close()
        for pipe in self._pipes:
            pipe.close()
