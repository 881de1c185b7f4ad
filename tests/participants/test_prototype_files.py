"""Which files of the studies folder uxlab serves under /prototypes/ (issue 14, fix 9): the web
files a prototype is made of, nothing else, whatever the case, never through a link leading out."""

from __future__ import annotations

import pytest


@pytest.fixture
def studies(app, tmp_path):
    """A studies folder with a prototype, the study file beside it, and a folder outside."""
    folder = tmp_path / "studies"
    shop = folder / "shop"
    (shop / "img").mkdir(parents=True)
    (shop / "index.html").write_text("<html><body><h1>Shop</h1></body></html>")
    (shop / "ABOUT.HTML").write_text("<html><body><h1>About</h1></body></html>")
    (shop / "img" / "logo.PNG").write_bytes(b"\x89PNG\r\n\x1a\n")
    (shop / "site.css").write_text("body { color: #222 }")
    (shop / "font.woff2").write_bytes(b"wOF2")
    for name in ("secret.TOML", "x.toml~", "study.toml.bak", "tool.PY", "notes.MD",
                 "data.json", "credentials", ".env", "dump.sql"):
        (shop / name).write_text("password = 'hunter2'\n")
    (folder / "shop.toml").write_text("[study]\nslug = 'shop'\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "leak.css").write_text("/* password = 'hunter2' */")
    (outside / "leak.html").write_text("<p>password = 'hunter2'</p>")
    (shop / "linked.css").symlink_to(outside / "leak.css")
    (shop / "elsewhere").symlink_to(outside, target_is_directory=True)
    (shop / "local.css").symlink_to(shop / "site.css")  # a link that stays inside is fine
    app.config["STUDIES_DIR"] = str(folder)
    return folder


@pytest.mark.parametrize("path", ["shop/index.html", "shop/", "shop/ABOUT.HTML",
                                  "shop/img/logo.PNG", "shop/site.css", "shop/font.woff2",
                                  "shop/local.css"])
def test_web_files_are_served(client, studies, path):
    with client.get(f"/prototypes/{path}") as response:
        assert response.status_code == 200, path
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_page_in_capitals_still_gets_the_recorder(client, studies):
    with client.get("/prototypes/shop/ABOUT.HTML") as response:
        assert response.mimetype == "text/html"
        assert "data-uxlab-recorder" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", [
    "shop/secret.TOML", "shop/x.toml~", "shop/study.toml.bak", "shop/tool.PY", "shop/notes.MD",
    "shop/data.json", "shop/credentials", "shop/.env", "shop/dump.sql", "shop.toml",
    "shop/linked.css", "shop/elsewhere/leak.css", "shop/elsewhere/leak.html", "shop/elsewhere/",
])
def test_anything_else_is_not_found(client, studies, path):
    with client.get(f"/prototypes/{path}") as response:
        assert response.status_code == 404, path
        assert "hunter2" not in response.get_data(as_text=True)
