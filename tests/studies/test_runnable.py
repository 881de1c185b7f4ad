"""A study whose local prototype lacks a page it needs: found by the one check, and by
``uxlab study validate`` / ``load`` naming file, variant or task, and the page."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.studies.test_spec import demo_data, write_study
from uxlab.cli import main
from uxlab.studies.runnable import prototype_pages, prototype_problems, url_rule_reaches
from uxlab.studies.spec import parse_study


def make_prototype(root: Path, name: str, pages: list[str]) -> str:
    for page in pages:
        path = root / name / page
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("<!doctype html><title>x</title>", encoding="utf-8")
    return name


@pytest.fixture
def studies_dir(tmp_path):
    root = tmp_path / "studies"
    make_prototype(root, "shop/a", ["index.html", "cart.html", "done.html", "help/index.html",
                                    "notes.md", ".git/config"])
    make_prototype(root, "shop/b", ["index.html", "basket.html", "done.html"])
    return root


def small_study(**task) -> dict:
    return {
        "study": {"slug": "shop", "title": "Shop"},
        "variants": [{"key": "A", "name": "A", "prototype": "shop/a"},
                     {"key": "B", "name": "B", "prototype": "shop/b"}],
        "tasks": [{"key": "buy", "title": "Buy", "success": {"type": "url", "url": "done.html"},
                   **task}],
    }


def problems_of(data, studies_dir):
    return [(p.key, p.message) for p in prototype_problems(parse_study(data), studies_dir)]


def test_the_pages_are_what_uxlab_serves(studies_dir):
    assert prototype_pages(studies_dir / "shop" / "a") == {
        "index.html", "", "cart.html", "done.html", "help/index.html", "help/"}


@pytest.mark.parametrize(("rule", "reaches"), [
    ({"url": "cart.html"}, True),
    ({"url": "cart.html?size=42"}, True),
    ({"url": "cart.html#top"}, True),
    ({"url": "kart.html"}, False),
    ({"url": "help/"}, True),
    ({"url": "notes.md"}, False),
    ({"url": "car", "match": "prefix"}, True),
    ({"url": "basket", "match": "prefix"}, False),
    ({"url": "cart.html?size=", "match": "prefix"}, True),
    ({"url": r"cart\.html\?size=42$", "match": "regex"}, True),
    ({"url": r"^kart\.html\?size=42$", "match": "regex"}, False),
    ({"url": r"^(done|cart)\.html$", "match": "regex"}, True),
    ({"url": "https://elsewhere.example/x"}, None),
])
def test_reach_compares_url_rules_with_the_files(studies_dir, rule, reaches):
    pages = prototype_pages(studies_dir / "shop" / "a")
    assert url_rule_reaches(rule, pages) is reaches


def test_a_runnable_study_has_no_problems(studies_dir):
    assert problems_of(small_study(errors=[{"type": "url", "url": "basket.html"}]),
                       studies_dir) == []


def test_a_missing_prototype_folder_names_the_variant_and_path(studies_dir):
    data = small_study()
    data["variants"][1]["prototype"] = "shop/x"
    assert problems_of(data, studies_dir) == [(
        "variants[1].prototype",
        f"variant 'B': prototype folder 'shop/x' does not exist in the studies folder "
        f"({studies_dir})")]


def test_a_folder_outside_the_studies_folder_does_not_count(studies_dir, tmp_path):
    make_prototype(tmp_path, "elsewhere", ["index.html"])
    data = small_study()
    data["variants"][0]["prototype"] = "shop/../../elsewhere"  # parse_study refuses .. anyway
    with pytest.raises(Exception, match="no .."):
        problems_of(data, studies_dir)


def test_a_missing_start_page_names_task_variant_and_page(studies_dir):
    assert problems_of(small_study(start="cart.html"), studies_dir) == [(
        "tasks[0].start", "task 'buy' starts on 'cart.html', which the prototype of variant 'B' "
                          "(shop/b) does not have")]


def test_the_default_start_page_is_index_html(studies_dir):
    (studies_dir / "shop" / "b" / "index.html").unlink()
    assert [key for key, _ in problems_of(small_study(), studies_dir)] == ["tasks[0].start"]


def test_an_unreachable_success_page_is_reported_per_variant(studies_dir):
    data = small_study(success={"type": "url", "url": "cart.html",
                                "variants": {"B": {"url": "basket.htm"}}})
    assert problems_of(data, studies_dir) == [(
        "tasks[0].success.variants.B.url",
        "task 'buy' succeeds on 'basket.htm', which matches no page of the prototype of "
        "variant 'B' (shop/b)")]


def test_an_error_rule_needs_a_page_in_some_variant(studies_dir):
    data = small_study(errors=[{"type": "url", "url": "basket.html"},
                               {"type": "url", "url": "oops", "match": "prefix"},
                               {"type": "element", "selector": "#x"}])
    assert problems_of(data, studies_dir) == [(
        "tasks[0].errors[1].url",
        "task 'buy': error rule 'oops' (match prefix) matches no page of any variant's "
        "prototype")]


def test_external_prototypes_are_not_checked_here(studies_dir):
    data = small_study(start="nowhere.html", errors=[{"type": "url", "url": "nowhere.html"}])
    for variant in data["variants"]:
        variant["prototype"] = "https://proto.example/shop"
    assert problems_of(data, studies_dir) == []


# --- the command line ----------------------------------------------------------------------------

def run(*args):
    return CliRunner().invoke(main, list(map(str, args)), catch_exceptions=False)


def demo_with(mutate, tmp_path):
    data = demo_data()
    mutate(data)
    return write_study(tmp_path, data)


def test_validate_names_the_missing_prototype_folder(tmp_path):
    path = demo_with(lambda d: d["variants"][1].update(prototype="checkout-redesign/x"),
                     tmp_path)
    result = run("study", "validate", path)
    assert result.exit_code == 1
    assert (f"{path}: variants[1].prototype: variant 'B': prototype folder "
            "'checkout-redesign/x' does not exist") in result.stderr
    assert "ok" not in result.stdout


def test_validate_names_the_task_whose_start_page_is_missing(tmp_path):
    path = demo_with(lambda d: d["tasks"][2].update(start="basket.html"), tmp_path)
    result = run("study", "validate", path)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{path}: tasks[2].start: task 'apply-coupon' starts on 'basket.html', which the "
        f"prototype of variant '{key}' (checkout-redesign/{key.lower()}) does not have"
        for key in ("A", "B")]


def test_validate_takes_the_studies_folder_from_the_option(tmp_path, studies_dir):
    path = write_study(tmp_path, small_study(), "shop.toml")
    assert run("study", "validate", "--studies-dir", studies_dir, path).exit_code == 0
    result = run("study", "validate", "--studies-dir", tmp_path, path)
    assert result.exit_code == 1
    assert "prototype folder 'shop/a' does not exist" in result.stderr


def test_load_refuses_a_study_that_cannot_run(cli, db, tmp_path):
    from sqlalchemy import func, select

    from uxlab.models import Study

    path = demo_with(lambda d: d["tasks"][0].update(success={"type": "url",
                                                             "url": "product.html"}), tmp_path)
    result = cli("study", "load", str(path))
    assert result.exit_code == 1
    assert f"{path}: tasks[0].success.url: task 'find-product' succeeds on 'product.html'" \
        in result.stderr
    assert db.scalar(select(func.count(Study.id))) == 0
