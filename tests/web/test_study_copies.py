"""Studies from a source in the browser: upload a study file (new study, new version), duplicate a
study as an empty draft, and create one from each built-in template."""

from __future__ import annotations

import io
import tomllib

import pytest
import tomli_w
from click.testing import CliRunner
from sqlalchemy import func, select

from tests.conftest import PROJECT_ROOT, csrf_token, fresh
from tests.recording.factories import make_sitting
from tests.web.test_auth import field_error
from tests.web.test_researcher import EMAIL, post, stored
from uxlab.cli import main
from uxlab.models import Participant, ShareLink, Study, TestSession
from uxlab.sharing.service import create_share_link
from uxlab.studies.copies import STARTERS, TEMPLATE_NAMES
from uxlab.studies.service import current_study, spec_from_study, start_study

DEMO_FILE = PROJECT_ROOT / "studies" / "checkout-redesign.toml"


@pytest.fixture
def researcher(make_user, auth):
    user = make_user(EMAIL)
    auth.login(EMAIL)
    return user


def upload(client, url, content: bytes, filename="study.toml"):
    token = csrf_token(client, url)
    return client.post(url, data={"csrf_token": token,
                                  "file": (io.BytesIO(content), filename)},
                       content_type="multipart/form-data")


def demo_toml(**changes) -> bytes:
    data = tomllib.loads(DEMO_FILE.read_text(encoding="utf-8"))
    for path, value in changes.items():
        section, index, key = path.split("__")
        data[section][int(index)][key] = value
    return tomli_w.dumps(data).encode()


def test_uploading_a_new_file_creates_the_study(client, db, researcher):
    response = upload(client, "/studies/upload", DEMO_FILE.read_bytes(), "checkout.toml")
    assert response.status_code == 302
    study = current_study(fresh(db), "checkout-redesign")
    assert study.owner_id == researcher.id and study.status == "draft"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Created study checkout-redesign (version 1)." in page


def test_uploading_a_changed_file_for_a_study_with_data_makes_a_new_version(
        client, db, researcher, make_study):
    study = make_study(owner=researcher)
    start_study(study)
    db.commit()
    sitting = make_sitting(db, study)
    response = upload(client, f"/studies/{study.id}/upload",
                      demo_toml(tasks__0__title="Find the trail shoe"))
    assert response.status_code == 302
    fresh(db)
    old, new = db.scalars(select(Study).order_by(Study.version)).all()
    assert (old.version, old.status, new.version, new.status) == (1, "running", 2, "draft")
    assert old.tasks[0].title == "Find a product" and new.tasks[0].title == "Find the trail shoe"
    assert db.get(TestSession, sitting.id).participant.study_id == old.id
    assert response.headers["Location"].endswith(f"/studies/{new.id}")
    page = client.get(f"/studies/{new.id}").get_data(as_text=True)
    assert '<strong aria-current="page">v2</strong>' in page
    assert f'<a href="/studies/{old.id}">v1</a>' in page
    assert "(running, 1 participant link(s))" in page


@pytest.mark.parametrize(("content", "expected"), [
    (b"[study\nslug = 1", "checkout.toml: not valid TOML"),
    (demo_toml(variants__1__prototype="checkout-redesign/x"),
     "variants[1].prototype: variant &#39;B&#39;: prototype folder &#39;checkout-redesign/x&#39; "
     "does not exist"),
    (demo_toml(tasks__2__start="basket.html"),
     "tasks[2].start: task &#39;apply-coupon&#39; starts on &#39;basket.html&#39;"),
    (demo_toml(tasks__1__time_limit=0), "tasks[1].time_limit: 0 is out of range"),
    (b"\xff\xfe", "checkout.toml: not UTF-8 text"),
])
def test_a_bad_file_is_listed_by_file_line_and_key_and_changes_nothing(
        client, db, researcher, make_study, content, expected):
    study = make_study(owner=researcher)
    before = spec_from_study(study)
    response = upload(client, f"/studies/{study.id}/upload", content, "checkout.toml")
    assert response.status_code == 400
    assert expected in response.get_data(as_text=True)
    assert spec_from_study(stored(db, study.id)) == before


def test_an_oversized_file_is_refused(client, db, researcher, monkeypatch):
    # A small limit: a test body over 500 KB would be spooled to a temporary file that
    # Werkzeug's test client never closes.
    monkeypatch.setattr("uxlab.researcher.copies.MAX_STUDY_FILE_BYTES", 2048)
    response = upload(client, "/studies/upload", b"#" * 2049, "checkout.toml")
    assert response.status_code == 400
    assert "checkout.toml: larger than 2 KB; is it a study file?" in response.get_data(
        as_text=True)
    assert fresh(db).scalar(select(func.count(Study.id))) == 0


def test_problem_lines_point_at_the_key(client, researcher):
    content = demo_toml(tasks__2__start="basket.html")
    line = next(n for n, text in enumerate(content.decode().splitlines(), 1)
                if text == 'start = "basket.html"')
    response = upload(client, "/studies/upload", content, "checkout.toml")
    assert f"checkout.toml, line {line}: tasks[2].start:" in response.get_data(as_text=True)


def test_a_file_for_another_study_is_refused_on_a_studys_page(client, db, researcher,
                                                              make_study):
    study = make_study(owner=researcher)
    data = tomllib.loads(DEMO_FILE.read_text(encoding="utf-8"))
    data["study"]["slug"] = "something-else"
    response = upload(client, f"/studies/{study.id}/upload", tomli_w.dumps(data).encode())
    assert response.status_code == 400
    assert "this file is for study &#39;something-else&#39;" in response.get_data(as_text=True)
    assert fresh(db).scalar(select(func.count(Study.id))) == 1


def test_a_file_for_someone_elses_study_is_refused(client, db, researcher, make_study):
    make_study()  # owned by nobody, invisible to the researcher
    response = upload(client, "/studies/upload", DEMO_FILE.read_bytes())
    assert response.status_code == 400
    assert "already exists and you cannot change it" in response.get_data(as_text=True)
    assert fresh(db).scalar(select(func.count(Study.id))) == 1


def test_duplicating_gives_a_draft_without_data(client, db, researcher, make_study):
    study = make_study(owner=researcher)
    start_study(study)
    db.commit()
    make_sitting(db, study)
    create_share_link(db, study)
    db.commit()
    url = f"/studies/{study.id}/duplicate"
    assert 'value="checkout-redesign-copy"' in client.get(url).get_data(as_text=True)
    response = post(client, url, {"slug": "checkout-again", "title": "Checkout again"})
    assert response.status_code == 302
    fresh(db)
    copy = current_study(db, "checkout-again")
    assert (copy.status, copy.version, copy.owner_id) == ("draft", 1, researcher.id)
    original = spec_from_study(db.get(Study, study.id))
    assert spec_from_study(copy).tasks == original.tasks
    assert spec_from_study(copy).variants == original.variants
    assert db.scalar(select(func.count(Participant.id))
                     .where(Participant.study_id == copy.id)) == 0
    assert db.scalar(select(func.count(ShareLink.id))
                     .where(ShareLink.study_id == copy.id)) == 0
    assert copy.recruitment_token is None


def test_duplicating_onto_a_taken_slug_is_refused_beside_the_field(client, db, researcher,
                                                                   make_study):
    study = make_study(owner=researcher)
    response = post(client, f"/studies/{study.id}/duplicate",
                    {"slug": "checkout-redesign", "title": "Again"})
    assert response.status_code == 400
    assert "already exists" in field_error(response.get_data(as_text=True), "slug")


def test_every_starter_file_is_a_listed_template():
    assert sorted(p.name.removesuffix(".toml") for p in STARTERS.iterdir()
                  if p.name.endswith(".toml")) == sorted(TEMPLATE_NAMES)


@pytest.mark.parametrize("template", TEMPLATE_NAMES)
def test_a_template_creates_a_study_that_validates_and_starts(client, db, app, researcher,
                                                              tmp_path, template):
    app.config["STUDIES_DIR"] = str(tmp_path / "studies")
    page = client.get("/studies/new/template").get_data(as_text=True)
    assert f'value="{template}"' in page
    response = post(client, "/studies/new/template",
                    {"template": template, "slug": "my-test", "title": "My test"})
    assert response.status_code == 302, response.get_data(as_text=True)
    study = current_study(fresh(db), "my-test")
    assert study.title == "My test" and study.status == "draft"
    for variant in study.variants:
        assert (tmp_path / "studies" / variant.prototype / "index.html").is_file()
    detail = f"/studies/{study.id}"
    post(client, f"{detail}/start", form_url=detail)
    assert stored(db, study.id).status == "running"
    path = tmp_path / "exported.toml"
    path.write_bytes(client.get(f"{detail}/study.toml").get_data())
    validated = CliRunner().invoke(main, ["study", "validate", "--studies-dir",
                                          str(tmp_path / "studies"), str(path)])
    assert validated.exit_code == 0, validated.output


def test_a_template_keeps_an_existing_folder(client, db, app, researcher, tmp_path):
    studies = tmp_path / "studies"
    mine = studies / "my-test" / "a"
    mine.mkdir(parents=True)
    (mine / "index.html").write_text("mine", encoding="utf-8")
    app.config["STUDIES_DIR"] = str(studies)
    post(client, "/studies/new/template",
         {"template": "website-comparison", "slug": "my-test", "title": "T"})
    assert (mine / "index.html").read_text(encoding="utf-8") == "mine"
    assert (studies / "my-test" / "b" / "index.html").is_file()
