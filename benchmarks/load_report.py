"""The load benchmark's results (``load_bench.py``): one run's figures, the Markdown table, the
limit (participants at which p99 crosses 200 ms) and the ratios between targets and clients."""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass

from keepalive_client import event_loop_factory

P99_LIMIT_MS = 200.0
#: A target whose p99 is over this is not run at higher participant counts: it has collapsed.
STOP_P99_MS = 10_000.0


@dataclass
class Run:
    target: str
    client: str
    participants: int
    offered_rps: float
    achieved_rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    #: p99 of how late the client sent a batch (``load_bench.Tally.lags``).
    client_lag_p99_ms: float
    errors: int
    unacknowledged: int
    #: Connections opened beyond one per participant (keep-alive), or None (a connection each).
    reconnects: int | None
    stale_retries: int
    server_cores: float
    database_cores: float
    client_cores: float
    server_cpu_ms: float
    client_cpu_ms: float
    fault: str = ""

    @property
    def label(self) -> str:
        return self.target if self.client == "new" else f"{self.target} · old client"


def collapsed(run: Run) -> bool:
    """p99 over 10 s, or nothing answered: higher counts would only measure the collapse."""
    return not run.p99_ms <= STOP_P99_MS


def row(r: Run) -> str:
    """The run's line of the table (also printed as each run ends)."""
    reconnects = "–" if r.reconnects is None else f"{r.reconnects:,}"
    fault = f" ({r.fault})" if r.fault else ""
    return (f"| {r.label}{fault} | {r.participants:,} | {r.offered_rps:,.0f} | {r.achieved_rps:,.0f} | "
            f"{r.p50_ms:,.1f} | {r.p95_ms:,.1f} | {r.p99_ms:,.1f} | {r.client_lag_p99_ms:,.1f} | "
            f"{r.errors} | {r.unacknowledged} | {reconnects} | {r.stale_retries} | "
            f"{r.server_cores:.2f} | {r.database_cores:.2f} | {r.client_cores:.2f} | "
            f"{r.server_cpu_ms:.2f} | {r.client_cpu_ms:.2f} |")


def report(runs: list[Run], skipped: list[tuple[str, int, Run]], args, interval_s: float) -> None:
    flask = (f"{args.workers} {args.worker_class} workers"
             f"{f' × {args.threads} threads' if args.worker_class == 'gthread' else ''}")
    print(f"\nLoad: {args.backend}; gunicorn: flask and bare {flask}, ingest {args.workers} "
          f"uvicorn workers; client: {args.connection}, a batch of 5–15 events every "
          f"{interval_s:.0f} s per participant, {args.seconds:.0f} s measured after "
          f"{args.warm_up:.0f} s" + (f"; {args.fault} restarted {args.fault_at:.0f} s into "
                                     "every measured phase" if args.fault else ""))
    print(f"Python {platform.python_version()}, {os.cpu_count()} CPUs, client event loop "
          f"{'uvloop' if event_loop_factory() else 'asyncio'}, load average before: "
          f"{args.load_before}\n")
    print("| target | participants | offered req/s | achieved req/s | p50 (ms) | p95 (ms) | "
          "p99 (ms) | client lag p99 (ms) | errors | lost batches | reconnects | stale retries | server cores | "
          "database cores | client cores | server + database CPU per request (ms) | "
          "client CPU per request (ms) |")
    print("| --- |" + " ---: |" * 16)
    rows = [(r.participants, row(r)) for r in runs] + [
        (count, f"| {label} | {count:,} | not run: p99 {last.p99_ms / 1000:,.1f} s at "
                f"{last.participants:,} |" + " |" * 14) for label, count, last in skipped]
    for _, line in sorted(rows, key=lambda each: each[0]):  # stable: run order within a count
        print(line)
    print()
    labels = list(dict.fromkeys(r.label for r in runs))
    for label in labels:
        mine = [r for r in runs if r.label == label]
        crossing = next((r.participants for r in mine if not r.p99_ms < P99_LIMIT_MS), None)
        below = [r.participants for r in mine if r.p99_ms < P99_LIMIT_MS
                 and (crossing is None or r.participants < crossing)]
        print(f"{label}: p99 < {P99_LIMIT_MS:.0f} ms up to "
              f"{max(below) if below else 'none'} participants; "
              f"crosses at {crossing if crossing else 'none measured'}")
    by_key = {(r.label, r.participants): r for r in runs}
    for label in labels[1:]:
        pairs = [(by_key[(labels[0], r.participants)], r) for r in runs
                 if r.label == label and (labels[0], r.participants) in by_key]
        ratios = ", ".join(f"{a.participants}: p99 {a.p99_ms / b.p99_ms:.2f}, "
                           f"server CPU {a.server_cpu_ms / b.server_cpu_ms:.2f}"
                           for a, b in pairs if b.p99_ms and b.server_cpu_ms)
        print(f"ratios {labels[0]} / {label}: {ratios}")
    old = [r for r in runs if r.client == "old"]
    for r in old:
        new = next((n for n in runs if n.client == "new" and n.target == r.target
                    and n.participants == r.participants), None)
        if new is not None and r.client_cpu_ms:
            print(f"client CPU per request, new / old client: {r.target} at "
                  f"{r.participants:,}: {new.client_cpu_ms:.3f} / {r.client_cpu_ms:.3f} ms = "
                  f"{new.client_cpu_ms / r.client_cpu_ms:.2f}")
