"""Study files: parsing, validation with key paths, and the TOML round trip (no database)."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import pytest
import tomli_w

from tests.conftest import PROJECT_ROOT
from uxlab.studies.files import read_study_file, study_to_toml
from uxlab.studies.problems import StudyDefinitionError
from uxlab.studies.spec import parse_study

DEMO_FILE = PROJECT_ROOT / "studies" / "checkout-redesign.toml"


def demo_data() -> dict:
    """The demo study file as a plain mapping, to break in a copy."""
    return tomllib.loads(DEMO_FILE.read_text(encoding="utf-8"))


def write_study(tmp_path: Path, data: dict, name: str = "broken.toml") -> Path:
    path = tmp_path / name
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    return path


def _set(path: str, value):
    """A mutation setting ``path`` (``tasks.1.key``) in the study mapping to ``value``."""
    def mutate(data):
        *parents, last = path.split(".")
        target = data
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(last) if last.isdigit() else last] = value
    return mutate


def _delete(path: str):
    def mutate(data):
        *parents, last = path.split(".")
        target = data
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        del target[int(last) if last.isdigit() else last]
    return mutate


def _within_one_variant(data):
    data["study"]["design"] = "within"
    del data["variants"][1]


def _custom_scale(definition: dict, ask: bool = True):
    def mutate(data):
        data["questionnaires"]["custom"] = {"trust": definition}
        if ask:
            data["questionnaires"]["post_study"].append("trust")
    return mutate


def _seq_at_the_end(data):
    data["questionnaires"]["post_task"] = []
    data["questionnaires"]["post_study"].append("seq")


def _csat(options: dict):
    def mutate(data):
        data["questionnaires"]["post_study"].append("csat")
        data["questionnaires"]["options"]["csat"] = options
    return mutate


GOOD_SCALE = {"title": "Trust", "items": ["I would trust this shop."], "scale": 7,
              "anchors": ["Strongly disagree", "Strongly agree"]}

#: (id, mutation of the demo study, the key path reported, a fragment of the message).
BROKEN = [
    ("title_too_long", _set("study.title", "T" * 201), "study.title",
     "must be at most 200 characters long, not 201"),
    ("task_title_too_long", _set("tasks.0.title", "x" * 5000), "tasks[0].title",
     "must be at most 200 characters long"),
    ("variant_name_too_long", _set("variants.0.name", "n" * 300), "variants[0].name",
     "at most 200 characters"),
    ("description_too_long", _set("study.description", "d" * 200_001), "study.description",
     "must be at most 20,000 characters long"),
    # A start page opens in the participant's frame on uxlab's origin: a script URL there would
    # run as whoever views the task (stored XSS), another site or a uxlab page is no task page.
    ("start-javascript", _set("tasks.0.start", "javascript:alert(document.domain)"),
     "tasks[0].start", "must be a page inside its prototype folder"),
    ("start-javascript-spaced", _set("tasks.0.start", " JaVaScRiPt:alert(1)"), "tasks[0].start",
     "must be a page inside"),
    ("start-data-url", _set("tasks.0.start", "data:text/html,<script>alert(1)</script>"),
     "tasks[0].start", "must be a page inside"),
    ("start-other-site", _set("tasks.0.start", "https://evil.example/"), "tasks[0].start",
     "must be a page inside"),
    ("start-protocol-relative", _set("tasks.0.start", "//evil.example/x.html"), "tasks[0].start",
     "must be a page inside"),
    ("start-uxlab-page", _set("tasks.0.start", "/studies/1/access"), "tasks[0].start",
     "must be a page inside"),
    ("start-climbs-out", _set("tasks.0.start", "../../../studies/1/access"), "tasks[0].start",
     "must be a page inside"),
    ("start-backslash", _set("tasks.0.start", "\\\\evil.example\\x"), "tasks[0].start",
     "must be a page inside"),
    ("prototype-url-with-space", _set("variants.0.prototype", "https://a.example/x y"),
     "variants[0].prototype", "must be an http(s) URL with a host"),
    ("redirect-with-line-break", _set("study.completion_redirect", "https://a.example/\njs"),
     "study.completion_redirect", "must be an http(s) URL"),
    ("unknown-top-level-key", _set("colour", "red"), "colour", "unknown key"),
    ("unknown-study-key", _set("study.owner", "me"), "study.owner", "unknown key"),
    ("unknown-task-key", _set("tasks.2.hint", "x"), "tasks[2].hint", "unknown key"),
    ("duplicate-task-key", _set("tasks.1.key", "find-product"), "tasks[1].key",
     "duplicate task key 'find-product' (first used at tasks[0])"),
    ("duplicate-variant-key", _set("variants.1.key", "A"), "variants[1].key",
     "duplicate variant key 'A'"),
    ("missing-success-criterion", _delete("tasks.2.success"), "tasks[2].success",
     "every task needs a success criterion"),
    ("weight-zero", _set("variants.0.weight", 0), "variants[0].weight", "above 0"),
    ("weight-negative", _set("variants.1.weight", -2.5), "variants[1].weight", "above 0"),
    ("weight-string", _set("variants.0.weight", "2"), "variants[0].weight", "must be a number"),
    ("weight-nan", _set("variants.0.weight", float("nan")), "variants[0].weight",
     "must be a number"),
    ("weight-infinite", _set("variants.1.weight", float("inf")), "variants[1].weight",
     "must be a number"),
    ("benchmark-nan", _set("benchmarks.sus", float("nan")), "benchmarks.sus",
     "must be a number"),
    ("task-time-benchmark-infinite", _set("tasks.0.benchmark_time", float("inf")),
     "tasks[0].benchmark_time", "must be a number"),
    ("unknown-questionnaire", _set("questionnaires.post_study", ["sus", "nps", "attrakdiff"]),
     "questionnaires.post_study[2]", "unknown questionnaire 'attrakdiff'"),
    ("seq-after-the-study", _seq_at_the_end, "questionnaires.post_study[2]",
     "'seq' can only be asked post_task"),
    ("sus-after-a-task", _set("questionnaires.post_task", ["seq", "sus"]),
     "questionnaires.post_task[1]", "'sus' can only be asked post_study"),
    ("within-one-variant", _within_one_variant, "variants",
     "within-subjects study needs at least two variants"),
    ("bad-url-regex", _set("tasks.1.success.url", "cart\\.html([0-9"), "tasks[1].success.url",
     "not a valid regular expression"),
    ("bad-answer-pattern", _set("tasks.4.success", {"type": "answer", "pattern": "(30"}),
     "tasks[4].success.pattern", "not a valid regular expression"),
    ("unknown-criterion-type", _set("tasks.0.success.type", "telepathy"),
     "tasks[0].success.type", "unknown type 'telepathy'"),
    ("url-criterion-without-url", _set("tasks.0.success", {"type": "url"}),
     "tasks[0].success.url", "required for a 'url' criterion"),
    ("error-rule-of-answer-type", _set("tasks.1.errors.0.type", "answer"),
     "tasks[1].errors[0].type", "unknown type 'answer' (use one of url, element)"),
    ("options-for-unasked-instrument", _set("questionnaires.options.umux_lite",
                                            {"question": "x"}),
     "questionnaires.options.umux_lite", "which the study does not ask"),
    ("custom-scale-of-6-points", _custom_scale({**GOOD_SCALE, "scale": 6}),
     "questionnaires.custom.trust.scale", "must be one of (5, 7)"),
    ("custom-scale-without-items", _custom_scale({**GOOD_SCALE, "items": []}),
     "questionnaires.custom.trust.items", "non-empty list"),
    ("custom-scale-one-anchor", _custom_scale({**GOOD_SCALE, "anchors": ["low"]}),
     "questionnaires.custom.trust.anchors", "two labels"),
    ("custom-scale-unknown-key", _custom_scale({**GOOD_SCALE, "colour": "red"}),
     "questionnaires.custom.trust.colour", "unknown key"),
    ("custom-scale-not-asked", _custom_scale(GOOD_SCALE, ask=False),
     "questionnaires.custom.trust", "defined but not asked"),
    ("custom-scale-named-like-sus", lambda d: d["questionnaires"].update(
        custom={"sus": GOOD_SCALE}), "questionnaires.custom.sus", "standard instrument"),
    ("benchmark-completion-1.5", _set("benchmarks.completion", 1.5), "benchmarks.completion",
     "out of range"),
    ("bad-slug", _set("study.slug", "Bad Slug!"), "study.slug", "lower-case"),
    ("missing-title", _delete("study.title"), "study.title", "required"),
    ("title-not-a-string", _set("study.title", 42), "study.title", "must be a string"),
    ("panel-id-param-not-a-string", _set("study.panel_id_param", 7), "study.panel_id_param",
     "must be a string"),
    ("csat-scale-of-6-points", _csat({"scale": 6}), "questionnaires.options.csat.scale",
     "5 or 7"),
    ("scale-option-on-nps", _set("questionnaires.options.nps.scale", 5),
     "questionnaires.options.nps.scale", "only csat"),
    ("empty-question-option", _set("questionnaires.options.nps.question", "  "),
     "questionnaires.options.nps.question", "non-empty"),
]


def broken_copy(tmp_path: Path, mutate) -> Path:
    data = copy.deepcopy(demo_data())
    mutate(data)
    return write_study(tmp_path, data)


def test_demo_study_file_is_valid():
    spec = read_study_file(DEMO_FILE)
    assert spec.slug == "checkout-redesign"
    assert [v.key for v in spec.variants] == ["A", "B"]
    assert [v.prototype for v in spec.variants] == ["checkout-redesign/a", "checkout-redesign/b"]
    assert len(spec.tasks) == 5
    assert all(t.success for t in spec.tasks)
    assert [(q.key, q.timing) for q in spec.questionnaires] == [
        ("seq", "post_task"), ("sus", "post_study"), ("nps", "post_study")]
    assert spec.benchmarks == {"completion": 0.78, "sus": 68, "seq": 5.5, "nps": 20}


def test_the_demo_prototypes_exist_beside_the_file():
    spec = read_study_file(DEMO_FILE)
    for variant in spec.variants:
        folder = DEMO_FILE.parent / variant.prototype
        for task in spec.tasks:
            assert (folder / task.start).is_file(), f"{variant.key}: {task.start}"


@pytest.mark.parametrize(("mutate", "key", "message"),
                         [pytest.param(m, k, msg, id=name) for name, m, k, msg in BROKEN])
def test_a_broken_file_names_file_key_and_problem(tmp_path, mutate, key, message):
    path = broken_copy(tmp_path, mutate)
    with pytest.raises(StudyDefinitionError) as caught:
        read_study_file(path)
    error = caught.value
    assert error.source == str(path)
    matching = [p for p in error.problems if p.key == key]
    assert matching, f"no problem at {key}: {error}"
    assert any(message in p.message for p in matching), str(error)
    assert f"{path}: {key}: " in str(error)


def test_every_problem_of_a_file_is_reported_at_once(tmp_path):
    data = demo_data()
    data["colour"] = "red"
    data["tasks"][3]["key"] = "add-to-cart"
    del data["tasks"][2]["success"]
    data["variants"][1]["weight"] = 0
    data["study"]["title"] = ""
    with pytest.raises(StudyDefinitionError) as caught:
        read_study_file(write_study(tmp_path, data))
    assert {p.key for p in caught.value.problems} == {
        "colour", "tasks[3].key", "tasks[2].success", "variants[1].weight", "study.title"}


def test_invalid_toml_names_the_line(tmp_path):
    path = tmp_path / "syntax.toml"
    path.write_text('[study]\nslug = "x"\ntitle = \n', encoding="utf-8")
    with pytest.raises(StudyDefinitionError) as caught:
        read_study_file(path)
    assert str(caught.value).startswith(f"{path}: not valid TOML")
    assert "line 3" in str(caught.value)


def test_a_file_that_is_not_utf8_is_a_definition_error(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes(DEMO_FILE.read_bytes().replace(b"Checkout redesign", b"Caf\xe9 checkout"))
    with pytest.raises(StudyDefinitionError) as caught:
        read_study_file(path)
    assert str(caught.value).startswith(f"{path}: not UTF-8 text")


def test_a_byte_order_mark_is_allowed(tmp_path):
    # Some Windows editors start UTF-8 files with one.
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + DEMO_FILE.read_bytes())
    assert read_study_file(path) == read_study_file(DEMO_FILE)


def test_a_missing_file_is_a_definition_error(tmp_path):
    with pytest.raises(StudyDefinitionError, match="cannot read the file"):
        read_study_file(tmp_path / "nowhere.toml")


def test_a_study_without_variants_or_tasks_is_only_a_draft():
    data = {"study": {"slug": "empty", "title": "Empty"}}
    with pytest.raises(StudyDefinitionError) as caught:
        parse_study(data)
    assert {p.key for p in caught.value.problems} == {"variants", "tasks"}
    spec = parse_study(data, draft=True)
    assert spec.variants == () and spec.tasks == ()


def test_a_variant_may_override_the_criterion():
    data = demo_data()
    data["tasks"][0]["success"]["variants"] = {"B": {"url": "products/trail-runner.html"}}
    assert parse_study(data).tasks[0].success["variants"] == {
        "B": {"url": "products/trail-runner.html"}}
    data["tasks"][0]["success"]["variants"] = {"C": {"url": "x.html"}}
    with pytest.raises(StudyDefinitionError, match=r"tasks\[0\]\.success\.variants\.C: no variant"):
        parse_study(data)


def test_valid_questionnaire_options_are_kept():
    data = demo_data()
    _csat({"scale": 5, "question": "How satisfied are you?"})(data)
    _custom_scale(GOOD_SCALE)(data)
    spec = parse_study(data)
    by_key = {q.key: q for q in spec.questionnaires}
    assert by_key["csat"].options == {"scale": 5, "question": "How satisfied are you?"}
    assert by_key["trust"].instrument == "likert"
    assert by_key["trust"].options == GOOD_SCALE


def test_export_parses_back_to_the_same_spec():
    spec = read_study_file(DEMO_FILE)
    text = study_to_toml(spec)
    assert parse_study(tomllib.loads(text)) == spec
    # The canonical form is a fixed point: exporting the re-read spec gives the same text.
    assert study_to_toml(parse_study(tomllib.loads(text))) == text


def test_export_keeps_custom_scales_options_and_overrides():
    data = demo_data()
    _custom_scale(GOOD_SCALE)(data)
    _csat({"scale": 5})(data)
    data["tasks"][0]["success"]["variants"] = {"B": {"url": "shoes-trail.html"}}
    data["variants"][1]["weight"] = 2.5
    data["study"]["design"] = "within"
    data["study"]["completion_redirect"] = "https://panel.example/done?pid={panel_id}"
    spec = parse_study(data)
    assert parse_study(tomllib.loads(study_to_toml(spec))) == spec


def test_a_start_page_under_an_external_prototype_may_be_absolute():
    data = demo_data()
    for variant in data["variants"]:
        variant["prototype"] = "https://proto.example.com/shop"
    data["tasks"][0]["start"] = "https://proto.example.com/shop/basket.html"
    data["tasks"][1]["start"] = "deals/today.html?x=1"
    spec = parse_study(data)
    assert spec.tasks[0].start == "https://proto.example.com/shop/basket.html"
    data["tasks"][0]["start"] = "https://proto.example.com.evil.example/shop/basket.html"
    with pytest.raises(StudyDefinitionError, match=r"tasks\[0\]\.start: .*prototype "
                                                   r"https://proto\.example\.com/shop/"):
        parse_study(data)
