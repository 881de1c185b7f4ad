"""A lean HTTP/1.1 client for the load benchmark: one keep-alive connection per participant.

A browser tab keeps its connection to uxlab open between the recorder's batches and opens a new
one only when the server has closed it (its idle timeout, a restart). :class:`Origin` does the
same for one participant: it reuses an idle connection, and a request that fails on a reused
connection before any byte of the answer came back is sent again at once on a new connection, as
browsers do (the server closed the connection while the request was on its way; with the
recorder's event ids a resent batch is stored once). Such a retry is counted in
:attr:`Counters.stale_retries`, apart from errors. A request that fails on a fresh connection, or
after part of its answer, is the caller's error.

Answers are parsed minimally but correctly: the status line, ``Content-Length`` (or a body up to
the connection's end when there is none), ``Connection: close`` and HTTP/1.0's default. Chunked
answers are refused with :class:`ProtocolError` (neither server sends one for this endpoint).

It is a :class:`asyncio.Protocol` rather than asyncio's streams, so that a request costs one
write and one future; with uvloop (see :func:`event_loop_factory`) that keeps the client's CPU per
request well under the server's. Standard library only, so the tests can import it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

#: An answer's head larger than this is not an answer of the events endpoint.
MAX_HEAD_BYTES = 64 * 1024


class ProtocolError(Exception):
    """The server's bytes are not an HTTP/1.1 answer this client understands."""


class ConnectionClosed(ConnectionError):
    """The connection ended before the whole answer came; ``answered``: some of it had come."""

    def __init__(self, answered: bool, cause: BaseException | None = None):
        super().__init__(f"connection closed {'during' if answered else 'before'} the answer"
                         + (f" ({cause!r})" if cause else ""))
        self.answered = answered


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    #: The connection may carry another request.
    keep_alive: bool
    #: ``Retry-After`` in seconds, when the answer has one (a 503's).
    retry_after: float | None = None


@dataclass
class Counters:
    """What the connections did, across all participants of a run."""

    #: TCP connections opened.
    connections: int = 0
    #: Requests sent again at once on a new connection because the reused one was closed before
    #: any answer byte (not errors: browsers do the same without telling the page).
    stale_retries: int = 0


def event_loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's event loop when it is installed (for :class:`asyncio.Runner`), else None."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def request_bytes(path: str, headers: str, body: bytes, *, keep_alive: bool = True) -> bytes:
    """A whole ``POST`` request with a JSON body; ``headers`` are extra ``Name: value\\r\\n`` lines."""
    connection = "" if keep_alive else "Connection: close\r\n"
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{connection}"
            f"Content-Type: application/json\r\n{headers}"
            f"Content-Length: {len(body)}\r\n\r\n").encode("latin-1") + body


class HttpConnection(asyncio.Protocol):
    """One TCP connection, one request at a time (no pipelining)."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self._buffer = bytearray()
        self._waiter: asyncio.Future | None = None
        self._reset_answer()

    def _reset_answer(self) -> None:
        self._status = 0
        self._length: int | None = None  # None: until the connection ends
        self._body_start = -1  # -1: the head is not complete yet
        self._keep_alive = True
        self._retry_after: float | None = None

    # --- asyncio.Protocol ---

    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        if self._waiter is None:
            self.closed = True  # bytes nobody asked for: this connection cannot be trusted
            self.transport.abort()
            return
        try:
            self._parse()
        except (ProtocolError, ValueError, IndexError) as error:
            self._fail(error if isinstance(error, ProtocolError) else ProtocolError(str(error)))

    def eof_received(self) -> bool:
        self._ended(None)
        return False  # close the transport

    def connection_lost(self, exc: Exception | None) -> None:
        self._ended(exc)

    # --- requests ---

    async def exchange(self, data: bytes) -> Response:
        """Send a whole request and wait for its whole answer."""
        self._buffer.clear()
        self._reset_answer()
        self._waiter = waiter = self.loop.create_future()
        self.transport.write(data)
        try:
            return await waiter
        finally:
            self._waiter = None

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    def abort(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.abort()

    # --- parsing ---

    def _parse(self) -> None:
        buffer = self._buffer
        if self._body_start < 0:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(buffer) > MAX_HEAD_BYTES:
                    raise ProtocolError("answer head too long")
                return
            self._read_head(bytes(buffer[:end]).decode("latin-1").split("\r\n"))
            self._body_start = end + 4
        if self._length is None:
            return  # the body ends with the connection
        received = len(buffer) - self._body_start
        if received < self._length:
            return
        if received > self._length:
            raise ProtocolError(f"{received - self._length} bytes after the answer's body")
        self._succeed(bytes(buffer[self._body_start:]))

    def _read_head(self, lines: list[str]) -> None:
        version, _, rest = lines[0].partition(" ")
        if version not in ("HTTP/1.1", "HTTP/1.0"):
            raise ProtocolError(f"not an HTTP/1.x status line: {lines[0][:80]!r}")
        self._status = int(rest[:3])
        if not 200 <= self._status <= 599:
            raise ProtocolError(f"unexpected status {self._status}")
        self._keep_alive = version == "HTTP/1.1"
        for line in lines[1:]:
            name, colon, value = line.partition(":")
            if not colon:
                raise ProtocolError(f"malformed header line {line[:80]!r}")
            name = name.strip().lower()
            if name == "content-length":
                length = value.strip()
                if not length.isdigit():
                    raise ProtocolError(f"bad Content-Length {length!r}")
                self._length = int(length)
            elif name == "connection":
                tokens = {token.strip().lower() for token in value.split(",")}
                if "close" in tokens:
                    self._keep_alive = False
                elif "keep-alive" in tokens:
                    self._keep_alive = True
            elif name == "retry-after" and value.strip().isdigit():
                self._retry_after = float(value.strip())
            elif name == "transfer-encoding":
                raise ProtocolError(f"Transfer-Encoding {value.strip()!r} is not supported")
        if self._status in (204, 304):
            self._length = 0
        if self._length is None:
            self._keep_alive = False

    def _succeed(self, body: bytes) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(Response(self._status, body, self._keep_alive,
                                      self._retry_after))

    def _fail(self, error: BaseException) -> None:
        self.abort()
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(error)

    def _ended(self, exc: BaseException | None) -> None:
        self.closed = True
        waiter = self._waiter
        if waiter is None or waiter.done():
            return
        if self._body_start >= 0 and self._length is None:
            self._succeed(bytes(self._buffer[self._body_start:]))
        else:
            waiter.set_exception(ConnectionClosed(bool(self._buffer), exc))


class Origin:
    """One participant's connections to a server, as a browser tab holds them."""

    def __init__(self, host: str, port: int, counters: Counters, *, keep_alive: bool = True):
        self.host, self.port, self.counters, self.keep_alive = host, port, counters, keep_alive
        #: Connections waiting for this participant's next request.
        self.idle: list[HttpConnection] = []

    async def send(self, data: bytes) -> Response:
        """Send ``data`` (a whole request, see :func:`request_bytes`) and return the answer.

        An idle connection is reused if the server has not closed it. If it turns out closed
        before any answer byte, the request goes again at once on a new connection (counted
        in ``stale_retries``). Cancelling (a timeout) aborts the connection: its answer would
        arrive in the middle of the next request's.
        """
        while self.idle:
            connection = self.idle.pop()
            if connection.closed:
                continue  # the server closed it while it was idle
            try:
                response = await self._exchange(connection, data)
            except ConnectionClosed as closed:
                if closed.answered:
                    raise
                self.counters.stale_retries += 1
                break
            return response
        loop = asyncio.get_running_loop()
        _, connection = await loop.create_connection(lambda: HttpConnection(loop),
                                                     self.host, self.port)
        self.counters.connections += 1
        return await self._exchange(connection, data)

    async def _exchange(self, connection: HttpConnection, data: bytes) -> Response:
        try:
            response = await connection.exchange(data)
        except BaseException:
            connection.abort()
            raise
        if self.keep_alive and response.keep_alive and not connection.closed:
            self.idle.append(connection)
        else:
            connection.close()
        return response

    def close(self) -> None:
        """Close the idle connections (at the end of a run)."""
        for connection in self.idle:
            connection.close()
        self.idle.clear()
