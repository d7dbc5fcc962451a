"""A directory of services: the organisations an office refers people to, with their contacts."""

# No `from __future__ import annotations`: pydantic would compile each string annotation
# back into a type when the class is made, ~3 ms of every start for the models.

from datetime import date
from typing import Annotated, Literal, get_args

from pydantic import Field, StringConstraints

from screening.models.base import Identifier, LocalizedText, Strict, Version

ServiceKind = Literal[
    "police_protection",
    "anti_trafficking_task_force",
    "uptd_ppa",
    "lpsk",
    "migrant_worker_protection",
    "shelter",
    "health",
    "legal_aid",
    "iom",
    "consulate",
    "labour_office",
    "hotline",
]
SERVICE_KINDS: tuple[str, ...] = get_args(ServiceKind)  # one list: the Literal's
#: Kinds that protect children: a child's own refusal never blocks a referral to them.
CHILD_PROTECTION_KINDS: frozenset[str] = frozenset({"uptd_ppa", "police_protection"})
Serves = Literal["children", "women", "men", "migrant_workers", "foreign_nationals"]
SERVES: tuple[str, ...] = get_args(Serves)
ContactKind = Literal["phone", "whatsapp", "email", "web", "address", "hours", "office"]
CONTACT_KINDS: tuple[str, ...] = get_args(ContactKind)
#: Contacts that are numbers: the same line with two numbers in the directory is a warning.
NUMBER_KINDS: frozenset[str] = frozenset({"phone", "whatsapp"})


class Contact(Strict):
    kind: ContactKind
    value: Annotated[str, StringConstraints(min_length=1)]
    #: A name for the line, shared wherever the same line is listed (e.g. "SAPA 129").
    line: str | None = None
    #: False until someone at the office has called or visited and confirmed it.
    confirmed: bool = False


class Service(Strict):
    id: Identifier
    name: LocalizedText
    kind: ServiceKind
    serves: list[Serves] = Field(min_length=1)
    #: Where it works: "national", a province, a district.
    area: Annotated[str, StringConstraints(min_length=1)]
    description: LocalizedText
    contacts: list[Contact] = Field(min_length=1)
    #: When someone last checked this entry against the service itself.
    checked_on: date


class ServiceDirectory(Strict):
    kind: Literal["service_directory"] = "service_directory"
    id: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]*$")]
    version: Version
    languages: list[Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]] = Field(
        min_length=1
    )
    title: LocalizedText
    services: list[Service] = Field(min_length=1)

    def service(self, service_id: str) -> Service | None:
        return next((s for s in self.services if s.id == service_id), None)


def contact_lines(service: Service) -> list[str]:
    """Each named line with its numbers, as 'NAME: numbers' ("SAPA 129: 021-129,
    WhatsApp 08111-129-129"): what the content's one-number-per-contact check reads."""
    lines: dict[str, list[str]] = {}
    for c in service.contacts:
        if c.line and c.kind in NUMBER_KINDS:
            lines.setdefault(c.line, []).append(
                ("WhatsApp " if c.kind == "whatsapp" else "") + c.value)
    return [f"{line}: {', '.join(values)}" for line, values in lines.items()]


def contact_text(service: Service, *, mark: str | None = None) -> str:
    """The numbers on one line, grouped by line ("SAPA 129: 021-129, WhatsApp 08111-129-129");
    an entry with no number shows its office. ``mark`` (e.g. "check locally") follows, in
    brackets, a line nobody has confirmed."""
    reachable = [c for c in service.contacts if c.kind not in ("hours", "address", "office")]
    groups: dict[str | None, list[Contact]] = {}
    for c in reachable or service.contacts:
        groups.setdefault(c.line or f"\0{id(c)}", []).append(c)
    parts = []
    for line, contacts in groups.items():
        values = ", ".join(("WhatsApp " if c.kind == "whatsapp" else "") + c.value
                           for c in contacts)
        text = values if not line or line.startswith("\0") else f"{line}: {values}"
        if mark and not all(c.confirmed for c in contacts):
            text += f" ({mark})"
        parts.append(text)
    return ", ".join(parts)


def for_profile(service: Service, profile: str) -> bool:
    """Whether a service takes the person a profile describes (child or adult)."""
    if profile.startswith("child-"):
        return "children" in service.serves
    return any(s != "children" for s in service.serves)
