"""`screening indicators`: the checklists, per profile, and what the scripts can reach."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from screening.cli._common import (
    ContentOption,
    FormatOption,
    ProfileOption,
    catalogue,
    check_profile,
)
from screening.cli._output import Format

app = typer.Typer(help="Indicator sets: list, show, coverage.", no_args_is_help=True)

LangOption = Annotated[str, typer.Option("--lang", "-l", help="Language of labels: id or en.")]


@app.command("list")
def list_sets(content: ContentOption = None, fmt: FormatOption = Format.table) -> None:
    """List the indicator sets.

    Example: screening indicators list --format json
    """
    from screening.cli._output import emit_rows
    from screening.models.base import localized

    cat = catalogue(content)
    rows = [
        {
            "id": s.id,
            "version": s.version,
            "title": localized(s.title, "en"),
            "indicators": len(s.indicators),
            "profiles": sorted({p for i in s.indicators for p in i.tiers}),
        }
        for s in cat.indicator_sets.values()
    ]
    emit_rows(
        rows, ["id", "version", "title", "indicators", "profiles"], fmt, title="Indicator sets"
    )


@app.command("show")
def show(
    set_id: Annotated[str, typer.Argument(help="Indicator set id, e.g. ilo-2009.")] = "ilo-2009",
    profile: ProfileOption = "adult-labour",
    content: ContentOption = None,
    fmt: FormatOption = Format.table,
    lang: LangOption = "en",
) -> None:
    """Show the indicators of one profile's list, with their tiers.

    Examples:

      screening indicators show ilo-2009 --profile child-labour

      screening indicators show ilo-2009 --profile adult-labour --format json
    """
    from screening.cli._output import emit_rows
    from screening.models.base import localized

    check_profile(profile)
    indicator_set = catalogue(content).indicator_set(set_id)
    elements = {d.id: "+".join(d.elements) for d in indicator_set.dimensions}
    indicators = indicator_set.for_profile(profile)
    rows = [
        {
            "id": i.id,
            "dimension": i.dimension,
            "tier": i.tiers[profile],  # type: ignore[index]  # listed: for_profile()
            "label": localized(i.label, lang)
            + (" (the project's own item)" if i.origin == "project" else "")
            + (" *" if i.note and i.origin != "project" else ""),
        }
        for i in indicators
    ]
    known = indicator_set.provenance.get(profile)  # type: ignore[call-overload]
    provenance = known.model_dump() if known is not None else None
    document = {
        "id": indicator_set.id,
        "version": indicator_set.version,
        "profile": profile,
        "provenance": provenance,
        "dimensions": [
            {
                "id": d.id,
                "element": elements[d.id],
                "elements": d.elements,
                "stage": d.stage,
                "title": d.title,
            }
            for d in indicator_set.dimensions
        ],
        "indicators": [
            {
                "id": i.id,
                "dimension": i.dimension,
                "tier": i.tiers[profile],  # type: ignore[index]  # listed: for_profile()
                "label": i.label,
                "description": i.description,
                "origin": i.origin,
                "note": i.note,
            }
            for i in indicators
        ],
    }
    status = ""
    if provenance is not None:
        status = f" ({provenance['status']}: {provenance['source']})"
        if provenance.get("note"):
            status += f"; {provenance['note']}"
    if any(i.note for i in indicators):
        status += ". * a tier or item with a note in the file (--format json shows it)"
    emit_rows(
        rows,
        ["id", "dimension", "tier", "label"],
        fmt,
        title=f"{indicator_set.id} {indicator_set.version}: {profile}{status}",
        json_rows=document,
    )


@app.command("coverage")
def coverage(
    set_id: Annotated[str, typer.Argument(help="Indicator set id.")] = "ilo-2009",
    profile: ProfileOption = "adult-labour",
    questionnaire: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--questionnaire", "-q", help="Only these questionnaires (repeatable)."),
    ] = None,
    content: ContentOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Which indicators each questionnaire can reach, and which none can.

    Exit code 0 either way; the summary on stderr names what no script reaches.

    Example: screening indicators coverage --profile adult-labour --format json
    """
    from screening.cli._output import emit_rows, err
    from screening.content.coverage import reach

    check_profile(profile)
    cat = catalogue(content)
    indicator_set = cat.indicator_set(set_id)
    chosen = (
        [cat.questionnaire(q) for q in questionnaire]
        if questionnaire
        else [q for q in cat.questionnaires.values() if q.indicator_set == set_id and q.scored]
    )
    reaches = reach(indicator_set, chosen, profile)
    ids = [q.id for q in chosen]
    rows = [
        {
            "indicator": r.indicator_id,
            "tier": r.tier,
            **{qid: ", ".join(r.reached_by.get(qid, [])) for qid in ids},
        }
        for r in reaches
    ]
    unreached = [r.indicator_id for r in reaches if not r.reached_by]
    document = {
        "set": indicator_set.id,
        "profile": profile,
        "questionnaires": {
            qid: {
                "reached": sorted(r.indicator_id for r in reaches if qid in r.reached_by),
                "count": sum(1 for r in reaches if qid in r.reached_by),
            }
            for qid in ids
        },
        "total": len(reaches),
        "unreached": unreached,
        "indicators": [
            {
                "id": r.indicator_id,
                "dimension": r.dimension,
                "tier": r.tier,
                "reached_by": r.reached_by,
            }
            for r in reaches
        ],
    }
    emit_rows(
        rows,
        ["indicator", "tier", *ids],
        fmt,
        json_rows=document,
        title=f"Coverage of {set_id} ({profile})",
    )
    for qid in ids:
        count = document["questionnaires"][qid]["count"]  # type: ignore[index]  # built above
        err().print(f"{qid}: reaches {count} of {len(reaches)}")
    if unreached:
        err().print(f"[yellow]No questionnaire reaches {len(unreached)}:[/] {', '.join(unreached)}")
    else:
        err().print(f"[green]Every one of the {len(reaches)} indicators is reachable.[/]")
