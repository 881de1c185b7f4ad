"""A bot participant that plays a study through the real HTTP endpoints (oTree-style)."""

from __future__ import annotations

import json
import re
import uuid


class Bot:
    def __init__(self, client, token: str):
        self.client = client
        self.token = token

    def enter(self):
        return self.client.get(f"/p/{self.token}")

    def page(self) -> str:
        return self.client.get("/run").get_data(as_text=True)

    @staticmethod
    def form_fields(html: str) -> dict[str, str]:
        fields = {}
        for name in ("csrf_token", "step", "idempotency_key"):
            match = re.search(rf'name="{name}" value="([^"]*)"', html)
            if match:
                fields[name] = match.group(1)
        return fields

    def post(self, html: str | None = None, **data):
        html = html if html is not None else self.page()
        return self.client.post("/run", data={**self.form_fields(html), **data})

    def consent(self):
        return self.post(agree="yes")

    def config(self, html: str | None = None) -> dict:
        html = html if html is not None else self.page()
        match = re.search(r'<script type="application/json" id="uxlab-task">(.*?)</script>', html,
                          re.S)
        assert match, "not on a running task page"
        return json.loads(match.group(1))

    def start_task(self):
        return self.post()

    def send_events(self, config: dict, events: list[dict]):
        return self.client.post(config["endpoints"]["events"], json={"events": events})

    def finish(self, config: dict, reason: str, key: str | None = None, **body):
        return self.client.post(config["endpoints"]["finish"],
                                json={"reason": reason, **body},
                                headers={"Idempotency-Key": key or uuid.uuid4().hex})

    def answer_all(self, value_for=lambda name, low, high: high):
        """Answer the questionnaire page on screen, every item."""
        html = self.page()
        names = sorted(set(re.findall(r'type="radio" name="([^"]+)" value=', html)))
        data = {}
        for name in names:
            points = [int(v) for v in re.findall(rf'name="{name}" value="(-?\d+)"', html)]
            data[name] = str(value_for(name, min(points), max(points)))
        return self.post(html, **data)


def event(kind: str, seq: int, attempt: int, **fields) -> dict:
    return {"id": str(uuid.uuid4()), "seq": seq, "tab": "bot", "type": kind,
            "t": 1_790_000_000_000 + seq * 1000, "attempt": attempt, "x": fields.get("x"),
            "y": fields.get("y"), "target": fields.get("target"), "url": fields.get("url"),
            "data": fields.get("data", {})}
