"""A TCP proxy on loopback that a test can cut and restore, to take a server away from
the service's processes (and give it back) without stopping it for everybody else.
With a `delay`, it is a slow link: every chunk arrives `delay` seconds after it was
sent, and what is still on its way when the sending side dies never arrives (as with a
machine that dies with data in flight)."""

from __future__ import annotations

import contextlib
import queue
import socket
import struct
import threading
import time

from .process_supervisor import free_port


class TcpProxy:
    def __init__(
        self, target_port: int, target_host: str = "127.0.0.1", delay: float = 0.0
    ) -> None:
        self.port = free_port()
        # A link opened with a delay may be given another (`delay = ...`) while open.
        self.delay = delay
        self._target = (target_host, target_port)
        self._listener: socket.socket | None = None
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        # Connections taken so far: what a test counts to see connections reused.
        self.accepted = 0

    def start(self) -> TcpProxy:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def cut(self) -> None:
        """Refuse new connections and reset the open ones, like a server that died."""
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        with self._lock:
            sockets, self._sockets = self._sockets, set()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self._target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._sockets |= {client, upstream}
                self.accepted += 1
            pump = self._delayed_pump if self.delay else self._pump
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def _delayed_pump(self, source: socket.socket, sink: socket.socket) -> None:
        pending: queue.Queue[tuple[float, bytes] | None] = queue.Queue()

        def deliver() -> None:
            while (item := pending.get()) is not None:
                due, data = item
                time.sleep(max(0.0, due - time.monotonic()))
                try:
                    sink.sendall(data)
                except OSError:
                    return

        threading.Thread(target=deliver, daemon=True).start()
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                pending.put((time.monotonic() + self.delay, data))
        # The sender is gone: what it sent within the last `delay` seconds is lost, and
        # the other side sees the connection reset, not closed in order.
        with contextlib.suppress(OSError):
            sink.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sink.close()
        pending.put(None)
