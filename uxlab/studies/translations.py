"""A study's languages and its own texts in each: ``study.languages`` and ``[translations]``.

The texts of a study file (title, welcome, consent, thanks, tasks, custom scales) are written in
its first language, ``study.languages[0]`` (English unless the file says otherwise). Every other
language the study declares may carry the same texts in a ``[translations.<language>]`` table
whose sections mirror the file::

    [translations.de.study]                 # title, welcome, consent, thanks, screen_out, full
    [translations.de.tasks.<task key>]      # title, instructions, question (an answer's)
    [translations.de.questionnaires.<key>]  # title, items, anchors (custom scale), question

The mechanism is generic: a :class:`Section` names its fields, their kind, and how to read the
source texts from a :class:`~uxlab.studies.spec.StudySpec`; another area (a screener) registers
its own section with :func:`register_section` and gets parsing, validation, the missing-text
warnings and the participant-side lookup (:mod:`uxlab.i18n.study_texts`) for free.

A text missing in a declared language is a *warning* (``uxlab study validate`` and the upload
print it, the study loads): the participant then reads that text in the study's first language,
so a half-translated study can be tried while its translation is being written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from uxlab.i18n.languages import SHIPPED_LANGUAGES
from uxlab.studies.problems import Problem, Problems

if TYPE_CHECKING:
    from uxlab.studies.spec import StudySpec

DEFAULT_LANGUAGES = ("en",)
#: A field's kind: one string, a list of strings as long as the source's, or [low, high] labels.
TEXT, TEXTS, PAIR = "text", "texts", "pair"


@dataclass(frozen=True)
class Section:
    """A part of the study file whose texts can be translated."""

    name: str
    #: field → kind (TEXT, TEXTS or PAIR)
    fields: dict[str, str]
    #: spec → {key: {field: source text}} (key None for a section without keys, like ``study``);
    #: only the texts the study has: a text left empty in the source needs no translation.
    sources: Callable[[StudySpec], dict[str | None, dict[str, Any]]]


SECTIONS: dict[str, Section] = {}


def register_section(section: Section) -> None:
    """Make ``[translations.<lang>.<section.name>]`` a part of study files."""
    SECTIONS[section.name] = section


def _present(values: dict[str, Any]) -> dict[str, Any]:
    return {field: value for field, value in values.items() if value}


def _study_sources(spec: StudySpec) -> dict[str | None, dict[str, Any]]:
    return {None: _present({"title": spec.title, "welcome": spec.welcome,
                            "consent": spec.consent, "thanks": spec.thanks,
                            "screen_out": spec.screen_out, "full": spec.full})}


def _task_sources(spec: StudySpec) -> dict[str | None, dict[str, Any]]:
    return {task.key: _present({"title": task.title, "instructions": task.instructions,
                                "question": task.success.get("question")})
            for task in spec.tasks}


def _questionnaire_sources(spec: StudySpec) -> dict[str | None, dict[str, Any]]:
    sources: dict[str | None, dict[str, Any]] = {}
    for q in spec.questionnaires:
        if q.instrument == "likert":
            sources[q.key] = _present({"title": q.options.get("title"),
                                       "items": q.options.get("items"),
                                       "anchors": q.options.get("anchors")})
        else:  # a standard instrument: only a question the study words itself is its own text
            sources[q.key] = _present({"question": q.options.get("question")})
    return sources


register_section(Section("study", {"title": TEXT, "welcome": TEXT, "consent": TEXT,
                                   "thanks": TEXT, "screen_out": TEXT, "full": TEXT},
                         _study_sources))
register_section(Section("tasks", {"title": TEXT, "instructions": TEXT, "question": TEXT},
                         _task_sources))
register_section(Section("questionnaires", {"title": TEXT, "items": TEXTS, "anchors": PAIR,
                                            "question": TEXT}, _questionnaire_sources))


def parse_languages(value: Any, problems: Problems) -> tuple[str, ...]:
    """``study.languages``: distinct shipped languages, the first being the file's own."""
    if value is None:
        return DEFAULT_LANGUAGES
    shipped = ", ".join(SHIPPED_LANGUAGES)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        problems.add("study.languages", f"must be a non-empty list of language codes ({shipped})")
        return DEFAULT_LANGUAGES
    for i, language in enumerate(value):
        if language not in SHIPPED_LANGUAGES:
            problems.add(f"study.languages[{i}]", f"{language!r} is not a language uxlab's "
                                                  f"participant pages are translated into "
                                                  f"({shipped})")
        elif language in value[:i]:
            problems.add(f"study.languages[{i}]", f"{language!r} is listed twice")
    return tuple(value)


def parse_translations(value: Any, languages: tuple[str, ...], spec: StudySpec,
                       problems: Problems) -> dict[str, Any]:
    """Validate ``[translations]`` against the study's languages and texts; return it as given."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.add("translations", "must be a table of language → texts")
        return {}
    for language, sections in value.items():
        where = f"translations.{language}"
        if language not in languages[1:]:
            problems.add(where, f"{language!r} is not one of the study's other languages "
                                f"(study.languages: {', '.join(languages)}; the texts of the "
                                f"file itself are in {languages[0]!r})")
        elif not isinstance(sections, dict):
            problems.add(where, "must be a table of sections (" + ", ".join(SECTIONS) + ")")
        else:
            _check_language(sections, spec, where, problems)
    return value


def _check_language(sections: dict, spec: StudySpec, where: str, problems: Problems) -> None:
    for name, tables in sections.items():
        section = SECTIONS.get(name)
        if section is None:
            problems.add(f"{where}.{name}", "unknown section (allowed here: "
                                            + ", ".join(SECTIONS) + ")")
            continue
        sources = section.sources(spec)
        if None in sources:  # a section without keys: its fields are right here
            _check_fields(tables, section, sources[None], f"{where}.{name}", problems)
            continue
        if not isinstance(tables, dict):
            problems.add(f"{where}.{name}", "must be a table of key → texts")
            continue
        for key, fields in tables.items():
            if key not in sources:
                known = ", ".join(str(k) for k in sources) or "none"
                problems.add(f"{where}.{name}.{key}", f"no {name} key {key!r} in the study "
                                                      f"(known: {known})")
            else:
                _check_fields(fields, section, sources[key], f"{where}.{name}.{key}", problems)


def _check_fields(fields: Any, section: Section, source: dict[str, Any], where: str,
                  problems: Problems) -> None:
    if not isinstance(fields, dict):
        problems.add(where, "must be a table of texts")
        return
    for field, text in fields.items():
        kind = section.fields.get(field)
        if kind is None or field not in source:
            allowed = ", ".join(f for f in section.fields if f in source) or "none"
            problems.add(f"{where}.{field}", f"not a text of the study's own here (its texts "
                                             f"here: {allowed})")
        elif kind == TEXT and not (isinstance(text, str) and text.strip()):
            problems.add(f"{where}.{field}", "must be a non-empty string")
        elif kind in (TEXTS, PAIR) and not (
                isinstance(text, list) and len(text) == len(source[field])
                and all(isinstance(t, str) and t.strip() for t in text)):
            problems.add(f"{where}.{field}", f"must be a list of {len(source[field])} "
                                             "non-empty strings, like the study's own")


def missing_translations(spec: StudySpec) -> list[Problem]:
    """Warnings: each text of the study that a declared language lacks (shown in the first)."""
    warnings = []
    for language in spec.languages[1:]:
        given = spec.translations.get(language, {})
        for name, section in SECTIONS.items():
            for key, source in section.sources(spec).items():
                table = given.get(name, {})
                if key is not None:
                    table = table.get(key, {})
                path = f"translations.{language}.{name}" + (f".{key}" if key is not None else "")
                for field in source:
                    if field not in table:
                        warnings.append(Problem(f"{path}.{field}", f"missing: participants who "
                                                f"see {language!r} read it in "
                                                f"{spec.languages[0]!r}"))
    return warnings
