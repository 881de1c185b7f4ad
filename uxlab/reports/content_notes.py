"""The report's blocks about moderated sessions: the problems × participants grid, the notes and
quotes logged, and how many outcomes a moderator decided."""

from __future__ import annotations

from uxlab.reports import formatting as fmt
from uxlab.reports.blocks import Block, Heading, Paragraph, Table
from uxlab.reports.context import ReportContext

#: Columns of the grid table beyond which it would not fit a page; the CSV export has them all.
MAX_GRID_PARTICIPANTS = 16
MAX_NOTES_LISTED = 150


def problem_grid_blocks(context: ReportContext) -> list[Block]:
    """The grid (problems as rows, participants as columns, ● where met)."""
    matrix, people, problems = (context.discovery_matrix, context.grid_participants,
                                context.grid_problems)
    if not matrix or len(people) != len(matrix) or len(problems) != len(matrix[0]):
        return []
    shown = people[:MAX_GRID_PARTICIPANTS]
    rows = tuple(
        (title, *("●" if matrix[i][j] else "·" for i in range(len(shown))),
         f"{sum(row[j] for row in matrix)}/{len(people)}")
        for j, title in enumerate(problems))
    note = (f"The first {len(shown)} of {len(people)} participants are shown; the grid CSV "
            "export holds all.") if len(shown) < len(people) else ""
    return [Heading("Problems × participants"),
            Table("Which observed participant met which problem (● met)",
                  ("Problem", *shown, "Total"), rows,
                  numeric=(False, *(True for _ in shown), True),
                  widths=(2.4, *(0.35 for _ in shown), 0.6), note=note)]


def note_blocks(context: ReportContext) -> list[Block]:
    """Moderator outcomes and the notes logged during the sessions, in participant order."""
    blocks: list[Block] = []
    outcomes = context.moderator_outcomes
    if outcomes.get("decided") or outcomes.get("undecided"):
        text = (f"{outcomes.get('decided', 0)} attempt(s) were decided by a moderator "
                f"({outcomes.get('assisted', 0)} with assistance).")
        if outcomes.get("undecided"):
            text += (f" {outcomes['undecided']} attempt(s) of moderated sessions ended "
                     "without an outcome and are missing from the completion rates.")
        blocks.append(Paragraph(text))
    if not context.notes:
        return blocks
    listed = context.notes[:MAX_NOTES_LISTED]
    rows = tuple((n.participant, fmt.clock(n.offset_ms),
                  n.kind + (f" ({n.severity})" if n.severity is not None else ""),
                  context.task_title(n.task) if n.task else fmt.MISSING, n.text,
                  n.problem or fmt.MISSING) for n in listed)
    note = (f"The first {len(listed)} of {len(context.notes)} notes are listed; "
            "observations.csv holds all.") if len(listed) < len(context.notes) else ""
    blocks += [Heading("Notes and quotes"),
               Table("Notes logged during the sessions (time into the session)",
                     ("Participant", "At", "Kind", "Task", "Note", "Problem"), rows,
                     widths=(0.8, 0.5, 0.8, 1.2, 3.0, 1.4), note=note)]
    return blocks

