"""The audit of the essay: one row per equation, table, figure and stated result, as Markdown.

Each :class:`etm.audit.rows.AuditRow` (the equations in :mod:`etm.audit.rows`, the rest in
:mod:`etm.audit.findings`) says what etm computes for the item (function), the independent check
(tests ``tests/<file>.py::<name>``), the measured agreement or disagreement in numbers, and a
verdict: ``reproduced``, ``differs`` (with why) or ``not computable`` (from what the essay
gives). :func:`markdown` renders :data:`ROWS`; ``etm reproduce`` writes it as ``audit.md`` and
docs/audit.md holds the same text (``python -m etm.audit > docs/audit.md``; tests/test_audit.py
checks that they agree and that every cited test exists).
"""

from __future__ import annotations

from etm.audit.findings import FIGURES, RESULTS, TABLES
from etm.audit.rival import RIVAL
from etm.audit.rows import EQUATIONS, AuditRow

__all__ = ["AuditRow", "ROWS", "VERDICTS", "markdown"]

#: Every audited item: equations, tables, figures, stated results (in the essay's order each),
#: then the rival theory's (NEQM) statements of section 3.3 (:mod:`etm.audit.rival`).
ROWS: tuple[AuditRow, ...] = EQUATIONS + TABLES + FIGURES + RESULTS + RIVAL

#: The verdicts a row may carry (the first words of :attr:`AuditRow.verdict`).
VERDICTS: tuple[str, ...] = ("reproduced", "differs", "not computable")


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown() -> str:
    """The audit as a Markdown page (docs/audit.md and ``etm reproduce``'s audit.md).

    Examples
    --------
    >>> text = markdown()
    >>> "| Eq. 9 |" in text and "| Table 7 |" in text and "| Fig. 17 |" in text
    True
    """
    counts = {v: sum(r.verdict.startswith(v) for r in ROWS) for v in VERDICTS}
    lines = [
        "# Audit of the essay",
        "",
        "One row per equation, table, figure and stated result of the essay: what etm computes "
        "for it, the independent check (a test), the measured agreement or disagreement, and a "
        "verdict. Generated from `etm.audit.ROWS` (`python -m etm.audit > docs/audit.md`; "
        "`etm reproduce` writes the same page as audit.md). The numbers come from the docs "
        "pages named in the rows (docs/magnetization.md for section 4), with the commands that "
        "produced them.",
        "",
        f"Verdicts: {counts['reproduced']} reproduced, {counts['differs']} differ, "
        f"{counts['not computable']} not computable from what the essay gives.",
        "",
        "Where the essay and etm part (the rows below say with what numbers):",
        "",
        *(
            f"* **{r.item}**: {r.verdict.partition(': ')[2] or r.verdict}"
            for r in ROWS
            if r.verdict.startswith("differs")
        ),
        "",
        "| item | the essay | etm computes | independent check | measured | verdict |",
        "|---|---|---|---|---|---|",
    ]
    for r in ROWS:
        check = "<br>".join(f"`{c}`" for c in r.checks) or "-"
        cells = (r.item, r.claim, r.computes, check, r.measured, r.verdict)
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    lines.append("")
    return "\n".join(lines)
