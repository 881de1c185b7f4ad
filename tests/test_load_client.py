"""The load benchmark's HTTP client (benchmarks/keepalive_client.py) against a scripted local
server: one kept-alive connection per participant, a new one when the server closed it, a request
lost on a reused connection sent again at once (and counted apart from errors), answers parsed
whole whatever their packets."""

from __future__ import annotations

import asyncio
import importlib
import random
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from benchmarks.keepalive_client import (
    ConnectionClosed,
    Counters,
    Origin,
    ProtocolError,
    Response,
    request_bytes,
)

OK = b'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 14\r\n\r\n{"accepted":1}'


class ScriptedServer:
    """Answers each request with the next action of ``script`` (one list for all connections):
    bytes to write (then keep the connection), or a callable given the writer."""

    def __init__(self, script: list):
        self.script = list(script)
        self.connections = 0
        self.requests: list[bytes] = []
        self.server: asyncio.Server | None = None

    async def __aenter__(self) -> ScriptedServer:
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc) -> None:
        self.server.close()
        await self.server.wait_closed()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
                self.requests.append(head + await reader.readexactly(length))
                action = self.script.pop(0)
                if callable(action):
                    await action(writer)
                    if writer.is_closing():
                        return
                else:
                    writer.write(action)
                    await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


def close_without_answer(writer: asyncio.StreamWriter) -> Awaitable[None]:
    """The server's idle timeout fired as the request arrived: it closes, answering nothing."""
    writer.close()
    return writer.wait_closed()


def answer_then_close(answer: bytes) -> Callable[[asyncio.StreamWriter], Awaitable[None]]:
    async def act(writer: asyncio.StreamWriter) -> None:
        writer.write(answer)
        await writer.drain()
        writer.close()
    return act


async def byte_by_byte(writer: asyncio.StreamWriter) -> None:
    for i in range(len(OK)):
        writer.write(OK[i:i + 1])
        await writer.drain()


def post(body: bytes = b'{"events":[]}', keep_alive: bool = True) -> bytes:
    return request_bytes("/api/v1/sessions/s/events", "Cookie: session=c\r\n", body,
                         keep_alive=keep_alive)


def run(scenario):
    return asyncio.run(scenario())


def test_one_kept_alive_connection_carries_every_request():
    async def scenario():
        async with ScriptedServer([OK, OK, OK]) as server:
            counters = Counters()
            origin = Origin("127.0.0.1", server.port, counters)
            answers = [await origin.send(post()) for _ in range(3)]
            origin.close()
        return server, counters, answers

    server, counters, answers = run(scenario)
    assert [(a.status, a.body, a.keep_alive) for a in answers] == [
        (200, b'{"accepted":1}', True)] * 3
    assert (server.connections, counters.connections, counters.stale_retries) == (1, 1, 0)
    assert len(server.requests) == 3


def test_a_connection_the_server_closed_while_idle_is_replaced_before_sending():
    async def scenario():
        async with ScriptedServer([answer_then_close(OK), OK]) as server:
            counters = Counters()
            origin = Origin("127.0.0.1", server.port, counters)
            first = await origin.send(post())
            while not all(connection.closed for connection in origin.idle):
                await asyncio.sleep(0)  # until the client has read the server's FIN
            second = await origin.send(post())
            origin.close()
        return server, counters, (first.status, second.status)

    server, counters, statuses = run(scenario)
    assert statuses == (200, 200)
    assert (server.connections, counters.connections, counters.stale_retries) == (2, 2, 0)
    assert len(server.requests) == 2  # nothing was sent on the closed connection


def test_a_request_lost_on_a_reused_connection_is_sent_again_at_once_on_a_new_one():
    async def scenario():
        async with ScriptedServer([OK, close_without_answer, OK]) as server:
            counters = Counters()
            origin = Origin("127.0.0.1", server.port, counters)
            await origin.send(post(b'{"events":[1]}'))
            again = await origin.send(post(b'{"events":[2]}'))
            origin.close()
        return server, counters, again

    server, counters, again = run(scenario)
    assert (again.status, again.body) == (200, b'{"accepted":1}')
    assert (server.connections, counters.connections, counters.stale_retries) == (2, 2, 1)
    assert server.requests[1] == server.requests[2]  # the same request, the same event ids
    assert server.requests[1].endswith(b'{"events":[2]}')


def test_a_new_connection_closed_before_the_answer_is_an_error_not_a_retry():
    async def scenario():
        async with ScriptedServer([close_without_answer, OK]) as server:
            counters = Counters()
            origin = Origin("127.0.0.1", server.port, counters)
            with pytest.raises(ConnectionClosed) as closed:
                await origin.send(post())
        return server, counters, closed.value

    server, counters, closed = run(scenario)
    assert not closed.answered
    assert (len(server.requests), counters.stale_retries) == (1, 0)


def test_an_answer_cut_short_on_a_reused_connection_is_an_error_not_a_retry():
    async def scenario():
        async with ScriptedServer([OK, answer_then_close(OK[:30])]) as server:
            counters = Counters()
            origin = Origin("127.0.0.1", server.port, counters)
            await origin.send(post())
            with pytest.raises(ConnectionClosed) as closed:
                await origin.send(post())
        return server, counters, closed.value

    server, counters, closed = run(scenario)
    assert closed.answered  # the server may have stored it: the caller's retry decides
    assert (len(server.requests), counters.stale_retries) == (2, 0)


def test_connection_close_is_honoured_both_ways():
    closing = OK.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n")
    old = OK.replace(b"HTTP/1.1", b"HTTP/1.0")  # HTTP/1.0 closes unless told otherwise

    async def scenario():
        async with ScriptedServer([answer_then_close(closing), answer_then_close(old), OK,
                                   answer_then_close(OK), answer_then_close(OK)]) as server:
            counters = Counters()
            origin = Origin("127.0.0.1", server.port, counters)
            answers = [await origin.send(post()) for _ in range(3)]
            closing_origin = Origin("127.0.0.1", server.port, counters, keep_alive=False)
            answers += [await closing_origin.send(post(keep_alive=False)) for _ in range(2)]
            origin.close()
        return server, counters, answers

    server, counters, answers = run(scenario)
    assert [a.keep_alive for a in answers] == [False, False, True, True, True]
    assert (server.connections, counters.connections, counters.stale_retries) == (5, 5, 0)
    assert [b"Connection: close" in r for r in server.requests] == [False] * 3 + [True] * 2


def test_an_answer_is_read_whole_whatever_its_packets_and_headers():
    unavailable = (b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\n"
                   b"Content-Length: 0\r\n\r\n")

    async def scenario():
        async with ScriptedServer([byte_by_byte, unavailable, OK]) as server:
            origin = Origin("127.0.0.1", server.port, Counters())
            answers = [await origin.send(post()) for _ in range(3)]
            origin.close()
            return answers

    answers = run(scenario)
    assert [(a.status, a.body, a.retry_after) for a in answers] == [
        (200, b'{"accepted":1}', None), (503, b"", 5.0), (200, b'{"accepted":1}', None)]


@pytest.mark.parametrize("answer, problem", [
    (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "Transfer-Encoding"),
    (b"SSH-2.0-OpenSSH\r\n\r\n", "status line"),
    (b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", "Content-Length"),
    (OK + b"extra", "after the answer"),
])
def test_an_answer_this_client_cannot_read_is_a_protocol_error(answer, problem):
    async def scenario():
        async with ScriptedServer([answer]) as server:
            origin = Origin("127.0.0.1", server.port, Counters())
            with pytest.raises(ProtocolError, match=problem):
                await origin.send(post())
            return origin.idle

    assert run(scenario) == []  # the connection is not reused


@pytest.fixture
def load_bench(monkeypatch):
    """benchmarks/load_bench.py, imported as the script imports its siblings."""
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parent.parent / "benchmarks"))
    return importlib.import_module("load_bench")


def test_the_benchmark_sends_a_refused_batch_again_as_the_recorder_does(load_bench, monkeypatch):
    monkeypatch.setattr(load_bench, "backoff_s", lambda *_: 0.0)  # no waiting in a test
    unavailable = b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 0\r\nContent-Length: 0\r\n\r\n"
    invalid = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"

    async def scenario():
        async with ScriptedServer([unavailable, OK, invalid]) as server:
            target = load_bench.Target("scripted", server.port, "")
            origin = Origin("127.0.0.1", server.port, Counters())
            tally = load_bench.Tally()
            rng = random.Random(1)
            for ids, body in ((["a", "b"], b'{"events":["a","b"]}'), (["c"], b'{"events":["c"]}')):
                await load_bench.send_batch(target, origin, ids, post(body), 0.0, tally, True, rng)
            origin.close()
        return server, target, tally

    server, target, tally = run(scenario)
    assert server.requests[0] == server.requests[1]  # the 503's batch again, the same ids
    assert (target.sent, target.acknowledged) == ({"a", "b", "c"}, {"a", "b"})
    # 503 and 400 are errors; the 400 is not sent again (the recorder drops it): one lost batch
    assert (tally.tries, tally.errors, tally.unacknowledged, len(tally.latencies)) == (3, 2, 1, 1)


def test_the_benchmark_waits_as_the_recorder_does(load_bench):
    rng = random.Random(14)
    told = Response(503, b"", True, retry_after=5.0)
    assert all(5.0 <= load_bench.backoff_s(0, told, rng) <= 5.25 for _ in range(100))
    waits = [load_bench.backoff_s(failures, None, rng) for failures in range(8) for _ in range(50)]
    assert all(0 <= w <= min(30.0, 2.0 ** (i // 50)) for i, w in enumerate(waits))
    assert max(waits) > 16  # full jitter up to the 30 s cap
