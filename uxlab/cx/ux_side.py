"""The UX side of a touchpoint: the newest study round whose tasks map to it, summarised.

For each touchpoint, the newest study (highest id among the versions and studies whose tasks
point at it) that has attempts gives, per variant, the task's completion rate with its
adjusted-Wald interval, geometric-mean time, SEQ, and the study's SUS / UMUX-Lite where asked —
read from the same analysis document as the study's results page (``uxlab.analysis``), so the
board and the results page never disagree. Each study is analysed once per board.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from uxlab.analysis.dataset import analyze_dataset, build_dataset
from uxlab.analysis.tidy import TidyDataError, natural_key
from uxlab.models import Attempt, Study, Task, UsabilityProblem
from uxlab.results.options import analysis_options

#: Completion benchmark when a task sets none (Sauro & Lewis: the average task completion).
DEFAULT_COMPLETION_BENCHMARK = 0.78


@dataclass
class UxVariant:
    variant: str
    variant_name: str
    completion: dict | None
    time: dict | None
    seq: dict | None
    sus: dict | None = None
    umux_lite: dict | None = None


@dataclass
class UxSide:
    """What the study says about one touchpoint."""

    study_id: int
    study_slug: str
    study_title: str
    study_version: int
    task_key: str
    task_title: str
    benchmark_completion: float
    variants: list[UxVariant] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)
    note: str | None = None

    def misses_benchmark(self) -> bool:
        """Whether any variant's completion estimate lies below the task's benchmark."""
        return any(v.completion and v.completion.get("estimate") is not None
                   and v.completion["estimate"] < self.benchmark_completion
                   for v in self.variants)

    def as_dict(self) -> dict:
        return {"study": self.study_slug, "study_version": self.study_version,
                "study_title": self.study_title, "task": self.task_key,
                "task_title": self.task_title,
                "benchmark_completion": self.benchmark_completion,
                "misses_benchmark": self.misses_benchmark(),
                "variants": [v.__dict__ for v in self.variants], "problems": self.problems,
                **({"note": self.note} if self.note else {})}


class UxSides:
    """Finds and caches the UX side of touchpoints for one board."""

    def __init__(self, session: Session, visible_study_ids: set[int] | None = None):
        """``visible_study_ids``: the studies the viewer may see (None: every study)."""
        self.session = session
        self.visible = visible_study_ids
        self._analyses: dict[int, tuple[dict | None, str | None]] = {}

    def for_touchpoint(self, touchpoint_id: int) -> UxSide | None:
        statement = (select(Task).join(Study, Study.id == Task.study_id)
                     .where(Task.touchpoint_id == touchpoint_id,
                            exists().where(Attempt.task_id == Task.id))
                     .order_by(Study.id.desc(), Task.position).limit(1))
        if self.visible is not None:
            statement = statement.where(Study.id.in_(self.visible))
        task = self.session.scalar(statement)
        if task is None:
            return None
        study = task.study
        analysis, error = self._analysis(study)
        side = UxSide(study.id, study.slug, study.title, study.version, task.key, task.title,
                      float(task.target_completion or study.benchmarks.get("completion")
                            or DEFAULT_COMPLETION_BENCHMARK),
                      problems=self._problems(task), note=error)
        if analysis is None:
            return side
        names = {v.key: v.name for v in study.variants}
        task_entry = next((t for t in analysis["tasks"] if t["task"] == task.key), None)
        questionnaires = analysis.get("questionnaires", {})
        for variant, summary in (task_entry or {}).get("variants", {}).items():
            side.variants.append(UxVariant(
                variant, names.get(variant, variant),
                completion=summary.get("completion") if summary.get("n") else None,
                time=summary.get("time") if summary.get("time", {}).get("n") else None,
                seq=summary.get("seq") if summary.get("seq", {}).get("n") else None,
                sus=questionnaires.get("sus", {}).get("variants", {}).get(variant),
                umux_lite=questionnaires.get("umux_lite", {}).get("variants", {}).get(variant)))
        return side

    def _analysis(self, study: Study) -> tuple[dict | None, str | None]:
        if study.id not in self._analyses:
            dataset = build_dataset(self.session, study)
            variants = sorted({row["variant"] for row in dataset.attempts}, key=natural_key)
            try:
                self._analyses[study.id] = (
                    analyze_dataset(dataset, **analysis_options(study, variants)), None)
            except TidyDataError as exc:
                self._analyses[study.id] = (None, f"the study's data cannot be analysed: {exc}")
        return self._analyses[study.id]

    def _problems(self, task: Task, limit: int = 3) -> list[dict]:
        problems = self.session.scalars(
            select(UsabilityProblem).where(UsabilityProblem.task_id == task.id)
            .order_by(UsabilityProblem.severity.desc(), UsabilityProblem.id).limit(limit))
        return [{"title": p.title, "severity": p.severity} for p in problems]
