"""A referral's life: consent before anything is shared, then
``proposed -> sent -> received -> accepted | declined -> services_started -> closed``.

Pure rules: the store calls them before it writes, the CLI never decides them itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from screening.errors import ScreeningError, suggest

STATUSES: tuple[str, ...] = (
    "proposed",
    "sent",
    "received",
    "accepted",
    "declined",
    "services_started",
    "closed",
)
#: Where each status may go next. Closing (lost contact, the person changed their mind) is
#: possible from every open status; nothing leaves ``closed``.
NEXT: dict[str, tuple[str, ...]] = {
    "proposed": ("sent", "closed"),
    "sent": ("received", "closed"),
    "received": ("accepted", "declined", "closed"),
    "accepted": ("services_started", "closed"),
    "declined": ("closed",),
    "services_started": ("closed",),
    "closed": (),
}
OPEN_STATUSES: tuple[str, ...] = tuple(s for s in STATUSES if s != "closed")
#: Help under way: it may rightly last months, so it is never "forgotten".
WAITING_ON_SERVICE: tuple[str, ...] = ("services_started",)
#: Not yet taken in by the service: overdue when created more than N days ago.
NOT_RECEIVED: tuple[str, ...] = ("proposed", "sent")
#: How a closed referral ended. ``other`` needs a note.
OUTCOMES: tuple[str, ...] = (
    "assisted",
    "returned_home_with_support",
    "police_case_opened",
    "person_declined",
    "lost_contact",
    "other",
)
#: The outcome of a referral recorded without consent: the person got the service's
#: contacts, nothing about them was shared.
INFORMATION_GIVEN = "information_given"
ALL_OUTCOMES: tuple[str, ...] = (*OUTCOMES, INFORMATION_GIVEN)
CONSENT_BY: tuple[str, ...] = ("person", "guardian", "social_worker")
DEFAULT_DUE_DAYS = 7


class ReferralRefused(ScreeningError):
    """A referral, or a change to one, that the rules do not allow; the message says why."""


def check_transition(
    referral_id: str, current: str, new: str, *, outcome: str | None, note: str | None
) -> None:
    """Refuse a status change the lifecycle does not allow, naming the allowed next states."""
    if new not in STATUSES:
        raise ReferralRefused(
            f"'{new}' is not a referral status; the statuses are {', '.join(STATUSES)}"
            + suggest(new, STATUSES)
        )
    allowed = NEXT.get(current, ())
    if new not in allowed:
        if not allowed:
            raise ReferralRefused(
                f"Referral {referral_id} is closed: its status cannot change any more. "
                "Add a new referral if the person needs more help."
            )
        raise ReferralRefused(
            f"Referral {referral_id} is '{current}': it can move to {_or(allowed)}, "
            f"not to '{new}'."
        )
    if new == "closed":
        if outcome is None:
            raise ReferralRefused(
                f"Closing referral {referral_id} needs --outcome: {', '.join(OUTCOMES)}."
            )
        if outcome not in OUTCOMES:
            raise ReferralRefused(
                f"'{outcome}' is not an outcome; choose {', '.join(OUTCOMES)}"
                + suggest(outcome, OUTCOMES)
            )
        if outcome == "other" and not (note or "").strip():
            raise ReferralRefused("The outcome 'other' needs --note saying what happened.")
    elif outcome is not None:
        raise ReferralRefused("--outcome goes with --status closed only.")


def _or(choices: tuple[str, ...]) -> str:
    quoted = [f"'{c}'" for c in choices]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


Consent = Literal["given", "refused", "overridden"]


@dataclass(frozen=True)
class ConsentDecision:
    """What may be shared with the service, and why."""

    #: given: by someone entitled to; refused (or no valid consent): information only;
    #: overridden: shared without it, for a reason kept in the trail.
    consent: Consent
    given_by: str | None
    information_only: bool
    override_reason: str | None = None


def decide_consent(
    *,
    service_id: str,
    child: bool,
    child_protection: bool,
    agreed: bool,
    given_by: str,
    override: bool,
    override_reason: str | None,
) -> ConsentDecision:
    """Whether a referral may share the person's details with the service.

    An adult's own agreement counts; a child's needs a parent, guardian or social worker.
    Without valid agreement the referral is information given only (the person leaves with
    the service's contacts), unless the officer overrides it with a reason. A child's
    referral to child protection is never turned into information only by the child's
    refusal: the officer records the override and its reason.
    """
    if given_by not in CONSENT_BY:
        raise ReferralRefused(
            f"'{given_by}' cannot give consent; choose {', '.join(CONSENT_BY)}"
            + suggest(given_by, CONSENT_BY)
        )
    reason = (override_reason or "").strip() or None
    if override and reason is None:
        raise ReferralRefused(
            "--override-consent needs a reason (--override-reason TEXT, or --reason): a legal "
            "basis or a case number. It is kept in the audit trail, so never write a name."
        )
    valid = agreed and (not child or given_by != "person")
    if valid:
        return ConsentDecision("given", given_by, False)
    if override:
        return ConsentDecision("overridden", given_by if agreed else None, False, reason)
    if child and child_protection:
        whose = "the child's own agreement is not enough" if agreed else "the child refused"
        raise ReferralRefused(
            f"This is a child's referral to child protection ({service_id}) and {whose}. It "
            "goes ahead all the same: add --override-consent --override-reason TEXT (why, "
            "e.g. 'child unaccompanied, UU 35/2014'), or record a guardian's or social "
            "worker's consent with --consent --consent-by guardian|social_worker."
        )
    return ConsentDecision("refused", given_by if agreed else None, True)


def is_due(
    status: str, created_at: str, updated_at: str, *, now: datetime, days: int
) -> bool:
    """Open and forgotten: not received within ``days`` of being made, or not moved on
    within ``days`` of its last change (help under way, ``services_started``, is not)."""
    if status not in OPEN_STATUSES or status in WAITING_ON_SERVICE:
        return False
    limit = now - timedelta(days=days)
    if status in NOT_RECEIVED and _at(created_at) < limit:
        return True
    return _at(updated_at) < limit


def _at(stamp: str) -> datetime:
    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        from datetime import UTC

        moment = moment.replace(tzinfo=UTC)
    return moment


__all__ = [
    "ALL_OUTCOMES",
    "CONSENT_BY",
    "DEFAULT_DUE_DAYS",
    "INFORMATION_GIVEN",
    "NEXT",
    "OPEN_STATUSES",
    "OUTCOMES",
    "STATUSES",
    "ConsentDecision",
    "ReferralRefused",
    "check_transition",
    "decide_consent",
    "is_due",
]
