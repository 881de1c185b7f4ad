"""Helpers of the CX tests: journey files and CX data files made by the tests themselves."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

JOURNEY_TOML = """
[[journeys]]
name = "Purchase"
[[journeys.stages]]
name = "Browse"
[[journeys.stages.touchpoints]]
name = "Product search"
targets = { nps = 30, csat = 0.8 }
[[journeys.stages]]
name = "Checkout"
[[journeys.stages.touchpoints]]
name = "Guest checkout"
owner = "Checkout team"
targets = { nps = 30, ces = 5.5, contact_rate = 0.03 }
[[journeys.stages.touchpoints]]
name = "Payment"

[[journeys]]
name = "Support"
[[journeys.stages]]
name = "Contact"
[[journeys.stages.touchpoints]]
name = "Chat"
"""

SCALES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}
PLACES = [("Purchase", "Browse", "Product search"), ("Purchase", "Checkout", "Guest checkout"),
          ("Purchase", "Checkout", "Payment"), ("Purchase", "", ""), ("Support", "Contact", "Chat")]
MONTHS = ["2026-07", "2026-08", "2026-09", "2026-10"]
SEGMENTS = ["new", "returning"]
RESPONSE_HEADER = ["recorded_at", "journey", "stage", "touchpoint", "metric", "value",
                   "respondent", "segment", "source", "external_id", "comment"]


def generate_responses(seed: int = 1, per_cell: int = 12) -> list[dict]:
    """Responses over four months, two segments, every place and metric; ids for half."""
    rng = np.random.default_rng(seed)
    rows = []
    for journey, stage, touchpoint in PLACES:
        for month in MONTHS:
            for metric, (low, high) in SCALES.items():
                count = int(rng.integers(per_cell // 2, per_cell + 1))
                for i in range(count):
                    moment = datetime.fromisoformat(f"{month}-01T08:00:00+00:00") + timedelta(
                        days=int(rng.integers(0, 28)), minutes=int(rng.integers(0, 600)))
                    rows.append({
                        "recorded_at": moment.isoformat(), "journey": journey, "stage": stage,
                        "touchpoint": touchpoint, "metric": metric,
                        "value": str(int(rng.integers(low, high + 1))),
                        "respondent": f"r{len(rows)}", "segment": SEGMENTS[i % 2],
                        "source": "survey", "external_id": f"x{len(rows)}" if i % 2 else "",
                        "comment": "=1+1 great" if i == 0 else ""})
    return rows


def write_csv(path: Path, header: list[str], rows: list[dict]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path


def values_of(rows: list[dict], place: tuple[str, str, str], metric: str,
              months: list[str] | None = None, segment: str | None = None) -> np.ndarray:
    """The answers a figure should be computed from (what the test hands to uxlab.stats)."""
    return np.array([float(r["value"]) for r in rows
                     if (r["journey"], r["stage"], r["touchpoint"]) == place
                     and r["metric"] == metric
                     and (months is None or r["recorded_at"][:7] in months)
                     and (segment is None or r["segment"] == segment)])


@pytest.fixture
def journey_file(tmp_path) -> Path:
    path = tmp_path / "journeys.toml"
    path.write_text(JOURNEY_TOML, encoding="utf-8")
    return path


@pytest.fixture
def responses_file(tmp_path):
    rows = generate_responses()
    return write_csv(tmp_path / "responses.csv", RESPONSE_HEADER, rows), rows


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)
