"""Two transactions at once: the second begins while the first still holds its writes."""

from __future__ import annotations

import threading


def race(database, first_action, second_action, second_sessions=None) -> dict:
    """Run ``first_action`` in a write transaction and ``second_action`` in another one (from
    ``second_sessions``, write sessions by default) begun before the first commits. Assert that
    the second waits for the first; return ``{"returned": …}`` or ``{"raised": …}`` for it."""
    outcome: dict = {}

    def second():
        with (second_sessions or database.write_sessions)() as session:
            try:
                outcome["returned"] = second_action(session)
                session.commit()
            except Exception as exc:  # what the test asserts
                outcome["raised"] = exc

    with database.write_sessions() as first:
        first_action(first)
        first.flush()
        racer = threading.Thread(target=second)
        racer.start()
        racer.join(timeout=0.5)  # SQLite: waiting for the write lock; PostgreSQL: a row lock
        assert racer.is_alive(), outcome
        first.commit()
    racer.join(timeout=30)
    return outcome
