"""The ingestion writers' turn on a SQLite file, and the group writer: its linger that makes
groups, its threads."""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
import time

import pytest

from tests.support.asgi import writer_threads_since
from uxlab.db import Database, WriterTurn
from uxlab.ingest.writer import GroupWriter


def _hold_turn(path: str, taken, release) -> None:
    turn = WriterTurn(path)
    with turn():
        taken.set()
        release.wait(30)
    turn.close()


def test_the_turn_excludes_another_process_until_released(tmp_path):
    path = str(tmp_path / "study.sqlite")
    context = multiprocessing.get_context("fork")
    taken, release = context.Event(), context.Event()
    holder = context.Process(target=_hold_turn, args=(path, taken, release))
    holder.start()
    try:
        assert taken.wait(30)
        order: list[str] = []
        waiter = threading.Thread(target=lambda: _take_and_note(path, order))
        waiter.start()
        waiter.join(0.3)
        assert waiter.is_alive() and order == []  # still queued behind the other process
        order.append("released")
        release.set()
        waiter.join(30)
        assert order == ["released", "taken"]
    finally:
        release.set()
        holder.join(30)


def _take_and_note(path: str, order: list[str]) -> None:
    turn = WriterTurn(path)
    with turn():
        order.append("taken")
    turn.close()


def test_the_threads_of_one_process_take_turns_too(tmp_path):
    turn = WriterTurn(str(tmp_path / "study.sqlite"))
    inside, most = [0], [0]

    def write() -> None:
        for _ in range(200):
            with turn():
                inside[0] += 1
                most[0] = max(most[0], inside[0])
                time.sleep(0)  # let the other threads run while this one holds the turn
                inside[0] -= 1

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    turn.close()
    assert most == [1]


def test_a_database_without_a_file_has_no_turn_to_wait_for():
    database = Database("sqlite://")
    try:
        with database.writer_turn():
            with database.writer_turn():  # not a lock at all: nothing to wait for
                pass
    finally:
        database.dispose()


@pytest.mark.parametrize("linger", [0.0, 0.05])
def test_batches_arriving_while_the_writer_lingers_join_its_group(linger):
    groups: list[list[int]] = []
    first_taken = threading.Event()

    def store(batches: list[int]) -> list[int]:
        groups.append(batches)
        first_taken.set()
        return batches

    writer = GroupWriter(store, linger=linger)

    async def send() -> list[int]:
        first = writer.submit(1)
        await asyncio.sleep(0.01)  # inside the linger, or after a group of one was taken
        if not linger:
            await asyncio.get_running_loop().run_in_executor(None, first_taken.wait, 5)
        rest = [writer.submit(n) for n in (2, 3)]
        return list(await asyncio.gather(first, *rest))

    try:
        assert asyncio.run(send()) == [1, 2, 3]
    finally:
        writer.stop()
    assert groups == ([[1, 2, 3]] if linger else [[1], [2, 3]])


def test_a_second_writer_thread_stores_while_the_first_waits():
    """With two threads, a group waiting on its commit does not hold up the next group."""
    first_in, release = threading.Event(), threading.Event()
    stored: list[int] = []

    def store(batches: list[int]) -> list[int]:
        if 1 in batches:
            first_in.set()
            release.wait(10)  # as a COMMIT waiting for the disk
        stored.extend(batches)
        return batches

    writer = GroupWriter(store, linger=0.0, threads=2)

    async def send() -> tuple[list[int], bool]:
        first = writer.submit(1)
        await asyncio.get_running_loop().run_in_executor(None, first_in.wait, 5)
        second = await asyncio.wait_for(writer.submit(2), 5)
        waiting = not first.done()
        release.set()
        return [await first, second], waiting

    try:
        assert asyncio.run(send()) == ([1, 2], True)
    finally:
        release.set()
        writer.stop()
    assert stored == [2, 1]


def test_stopping_stores_every_queued_batch_then_ends_every_thread():
    stored: list[int] = []
    lock = threading.Lock()
    before = set(threading.enumerate())

    def store(batches: list[int]) -> list[int]:
        time.sleep(0.01)
        with lock:
            stored.extend(batches)
        return batches

    writer = GroupWriter(store, linger=0.0, threads=2)

    async def send() -> None:
        for n in range(50):
            writer.submit(n)
        await asyncio.sleep(0)
        assert writer.running and len(writer_threads_since(before)) == 2
        # From the loop, as the lifespan's shutdown does; a stop that missed a thread would
        # wait for ever, so it runs aside with a deadline.
        stopper = threading.Thread(target=writer.stop)
        stopper.start()
        stopper.join(10)
        assert not stopper.is_alive(), "stop() did not return"

    asyncio.run(send())
    assert sorted(stored) == list(range(50))
    assert not writer.running
    assert writer_threads_since(before) == []


def test_a_store_that_miscounts_its_outcomes_answers_every_batch_and_the_writer_goes_on():
    calls: list[list[int]] = []

    def store(batches: list[int]) -> list[int]:
        calls.append(batches)
        return batches[:1] if len(calls) == 1 else batches

    writer = GroupWriter(store, linger=0.05)

    async def send() -> tuple[list, int]:
        first = await asyncio.wait_for(asyncio.gather(writer.submit(1), writer.submit(2)), 5)
        return first, await asyncio.wait_for(writer.submit(3), 5)

    try:
        (one, two), three = asyncio.run(send())
    finally:
        writer.stop()
    assert isinstance(one, RuntimeError) and isinstance(two, RuntimeError)
    assert three == 3


def test_a_lock_file_that_cannot_be_made_leaves_the_error_to_sqlite(tmp_path):
    turn = WriterTurn(str(tmp_path / "no-such-folder" / "study.sqlite"))
    with turn():
        pass  # no lock file, no error here: the database's own statements report the fault
    turn.close()
