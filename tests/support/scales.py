"""Check that every interval of an analysis document stays on its measure's scale (issue 9)."""

from __future__ import annotations

#: The scale of each summary (None = open on that side), written out here rather than taken from
#: uxlab.stats.scales so that a wrong table there cannot make these checks pass.
TASK_SCALES = {"completion": (0.0, 1.0), "time": (0.0, None), "errors": (0.0, None),
               "clicks": (0.0, None), "seq": (1.0, 7.0)}
QUESTIONNAIRE_SCALES = {"sus": (0.0, 100.0), "umux_lite": (0.0, 100.0), "nps": (-100.0, 100.0),
                        "csat": (0.0, 1.0), "ces": (1.0, 7.0)}
DIFFERENCE_SCALES = {"completion": (-1.0, 1.0), "time": (0.0, None), "seq": (-6.0, 6.0),
                     "sus": (-100.0, 100.0), "umux_lite": (-100.0, 100.0),
                     "nps": (-200.0, 200.0), "csat": (-1.0, 1.0), "ces": (-6.0, 6.0)}


def intervals(document: dict):
    """Yield (where, low, high, scale) for every interval of the document's summaries and
    comparisons."""
    for task in document["tasks"]:
        for variant, summary in task["variants"].items():
            for metric, scale in TASK_SCALES.items():
                part = summary[metric]
                yield f"{task['task']}/{variant}/{metric}", part["low"], part["high"], scale
                if metric == "time" and part.get("best_average"):
                    best = part["best_average"]
                    yield (f"{task['task']}/{variant}/time best", best["low"], best["high"],
                           scale)
        yield from _comparisons(task["comparisons"], task["task"])
    for name, instrument in document["questionnaires"].items():
        for variant, summary in instrument["variants"].items():
            yield f"{name}/{variant}", summary["low"], summary["high"], QUESTIONNAIRE_SCALES[name]
        yield from _comparisons(instrument["comparisons"], name)


def _comparisons(entries, where):
    for entry in entries:
        if entry["kind"] == "pairwise" and entry["metric"] in DIFFERENCE_SCALES:
            yield (f"{where}/{entry['metric']} {entry['b']} vs {entry['a']}", entry["low"],
                   entry["high"], DIFFERENCE_SCALES[entry["metric"]])


def assert_intervals_on_scale(document: dict) -> int:
    """Assert every interval lies on its scale; return how many intervals were checked."""
    checked = 0
    for where, low, high, (bottom, top) in intervals(document):
        for bound in (low, high):
            if bound is None:
                continue
            checked += 1
            assert bottom is None or bound >= bottom, f"{where}: {bound} below {bottom}"
            assert top is None or bound <= top, f"{where}: {bound} above {top}"
    return checked
