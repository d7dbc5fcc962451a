"""`screening services`: the directory of services an office refers people to."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from screening.cli._common import ContentOption, FormatOption, TextFormatOption, UiOption
from screening.cli._output import Format, TextFormat

if TYPE_CHECKING:
    from screening.models.services import Service

app = typer.Typer(help="The directory of services to refer people to.", no_args_is_help=True)

COLUMNS = ["id", "kind", "name", "serves", "area", "contact", "checked_on"]
TABLE_COLUMNS = ["id", "name", "area", "contact"]  # a counter laptop's terminal is narrow
#: What an officer may type for --serves: the singular works too.
_SERVES_ALIASES = {
    "child": "children",
    "woman": "women",
    "man": "men",
    "migrant_worker": "migrant_workers",
    "migrant-worker": "migrant_workers",
    "migrant-workers": "migrant_workers",
    "foreign_national": "foreign_nationals",
    "foreign-national": "foreign_nationals",
    "foreign-nationals": "foreign_nationals",
}


def service_row(service: Service) -> dict[str, Any]:
    """A service as the contract's JSON shape (plus its description and a check-locally flag)."""
    return {
        "id": service.id,
        "name": dict(service.name),
        "kind": service.kind,
        "serves": list(service.serves),
        "area": service.area,
        "contacts": [c.model_dump() for c in service.contacts],
        "checked_on": service.checked_on.isoformat(),
        "description": dict(service.description),
        "check_locally": not all(c.confirmed for c in service.contacts),
    }


def _check_choice(value: str | None, choices: tuple[str, ...], option: str) -> str | None:
    if value is None:
        return None
    value = _SERVES_ALIASES.get(value, value) if option == "--serves" else value
    if value not in choices:
        from screening.errors import suggest

        raise typer.BadParameter(
            f"'{value}' is not one of: {', '.join(choices)}" + suggest(value, choices),
            param_hint=f"'{option}'",
        )
    return value


@app.command("list")
def list_services(
    kind: Annotated[
        str | None, typer.Option("--kind", help="Only this kind (police_protection, uptd_ppa, "
                                 "shelter, legal_aid, ...).")
    ] = None,
    serves: Annotated[
        str | None, typer.Option("--serves", help="Only services for: children (child), women, "
                                 "men, migrant_workers, foreign_nationals.")
    ] = None,
    area: Annotated[
        str | None, typer.Option("--area", help="Only this area (e.g. national, Bengkulu).")
    ] = None,
    ui: UiOption = None,
    content: ContentOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """List the services of the directory (services/*.yaml in the content).

    A contact nobody at the office has confirmed yet is marked "check locally".

    Examples:

      screening services list --serves child

      screening services list --kind shelter --format json
    """
    from screening.cli._common import catalogue
    from screening.cli._messages import t
    from screening.cli._output import emit_rows, err
    from screening.models.base import localized
    from screening.models.services import SERVES, SERVICE_KINDS, contact_text

    kind = _check_choice(kind, SERVICE_KINDS, "--kind")
    serves = _check_choice(serves, SERVES, "--serves")
    services = [
        s
        for s in catalogue(content).services.values()
        if (kind is None or s.kind == kind)
        and (serves is None or serves in s.serves)
        and (area is None or s.area.casefold() == area.casefold())
    ]
    rows = [
        {
            **service_row(s),
            "name": localized(s.name, ui or "en"),
            "serves": ", ".join(s.serves),
            "contact": contact_text(s, mark=t("check_locally", ui or "en")),
        }
        for s in services
    ]
    columns = TABLE_COLUMNS if fmt is Format.table else COLUMNS
    from screening.cli.records import column_heads

    emit_rows(rows, columns, fmt, title=t("services_title", ui or "en"),
              headers={**column_heads(columns, ui or "en"), "id": "id"},
              json_rows=[service_row(s) for s in services])
    if fmt is Format.table:
        err().print(t("services_count", ui or "en", n=len(rows)))


@app.command("show")
def show(
    service_id: Annotated[str, typer.Argument(help="The service id.")],
    ui: UiOption = None,
    content: ContentOption = None,
    fmt: TextFormatOption = TextFormat.text,
) -> None:
    """Show one service: what it does, whom it serves, every contact.

    Example: screening services show uptd_ppa_bengkulu
    """
    from rich.markup import escape

    from screening.cli._common import catalogue
    from screening.cli._messages import t
    from screening.cli._output import emit_json, out
    from screening.models.base import localized

    ui = ui or "en"
    service = catalogue(content).service(service_id)
    if fmt is TextFormat.json:
        emit_json(service_row(service))
        return
    console = out()
    console.print(f"[bold]{escape(localized(service.name, ui))}[/] ({service.id})")
    console.print(escape(localized(service.description, ui)), soft_wrap=True)
    console.print(f"{t('service_kind', ui)}: {service.kind}   "
                  f"{t('service_serves', ui)}: {', '.join(service.serves)}   "
                  f"{t('service_area', ui)}: {escape(service.area)}")
    for c in service.contacts:
        mark = "" if c.confirmed else f"  [yellow]({t('check_locally', ui)})[/]"
        line = f"{escape(c.line)}: " if c.line else ""
        console.print(f"  {c.kind}: {line}{escape(c.value)}{mark}", soft_wrap=True)
    console.print(f"{t('checked_on', ui)}: {service.checked_on.isoformat()}")
