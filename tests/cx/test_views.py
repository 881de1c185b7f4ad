"""The CX pages: the demo board shows both sides of every touchpoint; forms validate and guard."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from tests.conftest import PROJECT_ROOT, csrf_token, fresh
from uxlab.demo import DEMO_EMAIL, DEMO_PASSWORD, set_up_demo
from uxlab.models import ApiToken, CxResponse, Journey, JourneyStage, Touchpoint


@pytest.fixture
def demo(database, auth):
    set_up_demo(database, str(PROJECT_ROOT / "studies"), simulate=6, seed=1)
    assert auth.login(DEMO_EMAIL, DEMO_PASSWORD).status_code == 302


def cards(html: str) -> dict[str, str]:
    return dict(re.findall(r'<article class="cx-card[^"]*" data-touchpoint="([^"]+)">(.*?)</article>',
                           html, re.S))


def test_demo_board_shows_both_sides_for_every_touchpoint(client, db, demo):
    page = client.get("/cx/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "synthetic" in html
    shown = cards(html)
    purchase = db.scalar(select(Journey).where(Journey.name == "Purchase"))
    names = db.scalars(select(Touchpoint.name).where(Touchpoint.journey_id == purchase.id)).all()
    assert len(names) >= 5 and set(shown) == set(names)
    for name, body in shown.items():
        assert re.search(r"NPS -?\d", body), name
        assert re.search(r"CSAT \d+%", body), name
        assert "/studies/" in body and "completion" in body, name  # the UX side


def test_key_drivers_of_the_demo_journey(client, db, demo):
    from uxlab.cx.bridge import journey_key_drivers

    journey = db.scalar(select(Journey).where(Journey.name == "Purchase"))
    expected = journey_key_drivers(db, journey, "csat")
    html = client.get("/cx/drivers?journey=Purchase&metric=csat").get_data(as_text=True)
    assert f"R² = {expected.result.r_squared:.2f} from {expected.result.n} respondents" in html
    shown = re.findall(r'<tr><th scope="row">([^<]+)</th><td class="num">([\d.]+)</td>', html)
    assert [(name, float(share)) for name, share in shown] == [
        (row.touchpoint, round(row.share, 3)) for row in expected.rows]
    assert sum(row.share for row in expected.rows) == pytest.approx(expected.result.r_squared)


def test_sus_to_ltr_page_uses_the_studys_participants(client, db, demo):
    from uxlab.cx.bridge import study_ltr
    from uxlab.models import Study

    study = db.scalar(select(Study).where(Study.slug == "checkout-redesign"))
    fit = study_ltr(db, study)
    page = client.get(f"/cx/studies/{study.id}/ltr?sus=80")
    html = page.get_data(as_text=True)
    assert fit.n == 6  # the six simulated participants answered SUS and NPS
    prediction = fit.predict(80)
    assert f"between {prediction.interval.low:.1f} and {prediction.interval.high:.1f}" in html
    assert f"Sauro's equation {0.52 + 0.09 * 80:.1f}" in html
    assert client.get(f"/cx/studies/{study.id}/ltr?sus=abc").status_code == 400
    assert client.get("/cx/studies/999999/ltr").status_code == 404


def test_bad_filters_are_named(client, demo):
    page = client.get("/cx/?period=September")
    assert page.status_code == 400
    assert "Period: " in page.get_data(as_text=True)
    assert client.get("/cx/?journey=Nope").status_code == 400


def test_observers_cannot_change_cx_data(client, make_user, auth):
    make_user("watcher@example.org", role="observer")
    auth.login("watcher@example.org")
    assert client.get("/cx/").status_code == 200
    token = csrf_token(client, "/cx/import")
    answer = client.post("/cx/import", data={"csrf_token": token,
                                             "file": (io.BytesIO(b"x"), "x.csv")})
    assert answer.status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    assert client.get("/cx/").status_code == 302
    assert client.get("/cx/settings").status_code == 302


def test_import_page_reports_the_summary_and_refuses_bad_files(client, db, make_user, auth):
    make_user()
    auth.login("researcher@example.org")
    good = (b"recorded_at,journey,stage,touchpoint,metric,value\n"
            b"2026-09-01,Purchase,Checkout,Guest checkout,nps,9\n"
            b"2026-09-02,Purchase,Checkout,Guest checkout,csat,4\n")
    answer = client.post("/cx/import", data={"csrf_token": csrf_token(client, "/cx/import"),
                                             "source": "web", "file": (io.BytesIO(good), "g.csv")},
                         content_type="multipart/form-data")
    assert answer.status_code == 200
    assert "read 2, imported 2, duplicates 0" in answer.get_data(as_text=True)
    bad = good.replace(b"csat,4", b"csat,6")
    answer = client.post("/cx/import", data={"csrf_token": csrf_token(client, "/cx/import"),
                                             "file": (io.BytesIO(bad), "b.csv")},
                         content_type="multipart/form-data")
    assert answer.status_code == 400
    assert "row 3, column value" in answer.get_data(as_text=True)
    assert fresh(db).scalar(select(func.count()).select_from(CxResponse)) == 2


def test_journeys_page_adds_a_touchpoint_with_targets(client, db, make_user, auth):
    make_user()
    auth.login("researcher@example.org")

    def post(data):
        return client.post("/cx/journeys",
                           data={"csrf_token": csrf_token(client, "/cx/journeys"), **data})

    assert post({"action": "journey", "journey-name": "Onboarding"}).status_code == 303
    journey = db.scalar(select(Journey).where(Journey.name == "Onboarding"))
    assert post({"action": "stage", "stage-journey": journey.id,
                 "stage-name": "Sign-up"}).status_code == 303
    stage = fresh(db).scalar(select(JourneyStage).where(JourneyStage.name == "Sign-up"))
    bad = post({"action": "touchpoint", "touchpoint-stage": stage.id,
                "touchpoint-name": "Verify email", "touchpoint-targets": "nps = 500"})
    assert bad.status_code == 400
    assert "targets.nps: must be a number from -100 to 100" in bad.get_data(as_text=True)
    good = post({"action": "touchpoint", "touchpoint-stage": stage.id,
                 "touchpoint-name": "Verify email", "touchpoint-owner": "Growth",
                 "touchpoint-targets": "nps = 20, csat = 0.8"})
    assert good.status_code == 303
    touchpoint = fresh(db).scalar(select(Touchpoint).where(Touchpoint.name == "Verify email"))
    assert (touchpoint.owner, touchpoint.targets) == ("Growth", {"nps": 20.0, "csat": 0.8})


def test_settings_show_a_token_once_and_revoke_it(client, db, make_user, auth):
    make_user()
    auth.login("researcher@example.org")
    answer = client.post("/cx/settings", data={
        "csrf_token": csrf_token(client, "/cx/settings"), "action": "token",
        "token-name": "XM sync"})
    html = answer.get_data(as_text=True)
    token = re.search(r'value="(uxl_[^"]+)"', html).group(1)
    assert client.get("/api/v1/cx/feed", headers={"Authorization": f"Bearer {token}"}
                      ).status_code == 200
    assert token not in client.get("/cx/settings").get_data(as_text=True)
    token_id = fresh(db).scalar(select(ApiToken.id))
    revoked = client.post(f"/cx/tokens/{token_id}/revoke",
                          data={"csrf_token": csrf_token(client, "/cx/settings")})
    assert revoked.status_code == 303
    assert client.get("/api/v1/cx/feed", headers={"Authorization": f"Bearer {token}"}
                      ).status_code == 401


def test_journey_report_downloads_follow_the_filters(client, demo):
    from pypdf import PdfReader

    html = client.get("/cx/").get_data(as_text=True)
    assert "/cx/report.pdf?journey=Purchase" in html
    page = client.get("/cx/report.html?journey=Purchase&segment=new+customers")
    assert page.status_code == 200 and page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    assert "Journey report: Purchase" in text and "new customers" in text
    title = re.search(r"<title>(.*)</title>", text).group(1)  # its own kind, not a study's
    assert title.startswith("Journey report: Purchase · CX journey report · ")
    assert "Stage: Checkout" in text and "Guest checkout" in text
    assert not re.search(r'(src|href)="https?://', text)  # self-contained
    pdf = client.get("/cx/report.pdf?journey=Purchase&period=2020-01")
    assert pdf.mimetype == "application/pdf"
    extracted = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Journey report: Purchase" in extracted and "2020-01" in extracted
    assert client.get("/cx/report.pdf?period=soon").status_code == 400
    assert client.get("/cx/report.html?_anchor=x&endpoint=y").status_code == 200


def test_cli_journey_report(cli, tmp_path, demo):
    out = tmp_path / "journey.pdf"
    result = cli("cx", "report", "--journey", "Purchase", "--format", "pdf", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    assert cli("cx", "report", "--format", "pdf").exit_code != 0
    html = cli("cx", "report", "--journey", "Purchase")
    assert "Journey report: Purchase" in html.output


def test_the_study_report_has_a_cx_page_for_its_touchpoints(client, db, demo):
    from uxlab.models import Study

    study = db.scalar(select(Study).where(Study.slug == "checkout-redesign"))
    html = client.get(f"/studies/{study.id}/report.html").get_data(as_text=True)
    assert "Customer experience at these touchpoints" in html
    for touchpoint in ("Purchase › Checkout › Guest checkout", "Purchase › Browse › Product search"):
        assert touchpoint in html
    report = client.get(f"/studies/{study.id}/report.json").get_json()
    rows = report["context"]["cx_touchpoints"]
    assert len(rows) == 5 and all(r["figures"][0].startswith("NPS ") for r in rows)
    board = client.get("/cx/").get_data(as_text=True)
    guest = cards(board)["Guest checkout"]
    nps_shown = re.search(r"NPS (-?[\d.]+) \(", guest).group(1)
    row = next(r for r in rows if r["touchpoint"].endswith("Guest checkout"))
    assert row["figures"][0].startswith(f"NPS {nps_shown} (")
