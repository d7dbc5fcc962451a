"""A screening record mapped onto IOM's Human Trafficking Case Data Standard (HTCDS).

Pure: a record dict (as the store returns it, opened or not) in, one HTCDS case dict out.
The mapping is keyed by question id and option key of the bundled scripts (departure,
returnee); a question a script does not have maps to nothing. docs/htcds.md documents every
line of it. A screening is not a case: what HTCDS calls a victim is here a person screened,
and the referral fields carry the referrals actually made (``screening referrals``), or,
when none was, the ones the screening *recommended*.
"""

from __future__ import annotations

from typing import Any

HTCDS_VERSION = "2.0"

#: question id -> answer (yes, no or an option key) -> HTCDS vic_MethodOfRecruitment values
RECRUITMENT: dict[str, dict[str, list[str]]] = {
    "recruiter": {
        "agency": ["JobOfferOrAdvertisement"],
        "p3mi": ["JobOfferOrAdvertisement"],
        "sponsor": ["JobOfferOrAdvertisement"],
        "neighbour_relative": ["Familial"],
        "partner": ["IntimatePartnerOrMarriageProposition"],
        "social_media": ["Internet"],
        "online": ["Internet"],
        "other": ["Other"],
        "unknown": ["Unknown"],
    },
    "marriage": {
        "promised": ["IntimatePartnerOrMarriageProposition"],
        "pushed": ["IntimatePartnerOrMarriageProposition"],
    },
    "promises_broken": {"marriage": ["IntimatePartnerOrMarriageProposition"]},
    "taken_or_sold": {"yes": ["Abduction"]},
    "recruitment_coercion": {"taken_sold": ["Abduction"]},
}

#: question id -> answer -> HTCDS vic_MethodsOfControl values
CONTROL: dict[str, dict[str, list[str]]] = {
    # departure
    "passport_holder": {
        "tour_leader": ["WithholdsDocuments"],
        "companion": ["WithholdsDocuments"],
        "sponsor_agent": ["WithholdsDocuments"],
    },
    "arrival_rules": {
        "passport_kept": ["WithholdsDocuments"],
        "phone_kept": ["Other"],
        "not_allowed_out": ["RestrictsMovement"],
        "no_family_contact": ["Other"],
    },
    "debt": {"repay_from_wages": ["DebtBondage"], "work_until_paid": ["DebtBondage"]},
    "wage_terms": {
        "via_agent": ["TakesEarnings"],
        "held_until_end": ["TakesEarnings"],
        "deductions": ["TakesEarnings"],
        "first_months_unpaid": ["TakesEarnings"],
    },
    "work_schedule": {
        "over_10_hours": ["ExcessiveWorkingHours"],
        "no_day_off": ["ExcessiveWorkingHours"],
    },
    "violence": {"yes": ["PhysicalAbuse"]},
    "threats": {
        "hurt_you": ["Threats"],
        "hurt_family": ["Threats"],
        "shame": ["PsychologicalAbuse"],
        "arrest": ["ThreatOfLawEnforcement"],
        "report_police": ["ThreatOfLawEnforcement"],
        "tell_family": ["PsychologicalAbuse"],
        "worse_conditions": ["Threats"],
    },
    "kept_inside": {"yes": ["RestrictsMovement"]},
    "controls": {
        "phone_taken": ["Other"],
        "watched": ["RestrictsMovement"],
        "no_family_contact": ["Other"],
        "money_kept": ["RestrictsFinancialAccess"],
    },
    "offer_changed": {
        key: ["FalsePromises"]
        for key in (
            "job_changed",
            "employer_changed",
            "place_changed",
            "wage_changed",
            "hours_changed",
            "housing_changed",
            "travel_changed",
        )
    },
    # returnee
    "passport_held": {"yes": ["WithholdsDocuments"]},
    "documents_taken_recruitment": {"yes": ["WithholdsDocuments"]},
    "debt_destination": {"yes": ["DebtBondage"]},
    "recruitment_money": {
        "repay_from_wages": ["DebtBondage"],
        "debt_grew": ["DebtBondage"],
        "money_kept": ["TakesEarnings"],
    },
    "wages_kept": {"yes": ["TakesEarnings"]},
    "wages_paid": {"not_paid": ["TakesEarnings"]},
    "pay_deductions": {
        "fines": ["TakesEarnings"],
        "deductions": ["TakesEarnings"],
        "paid_to_other": ["TakesEarnings"],
    },
    "hours_per_day": {
        "from_11_to_12": ["ExcessiveWorkingHours"],
        "more_than_12": ["ExcessiveWorkingHours"],
    },
    "days_off": {"rarely": ["ExcessiveWorkingHours"], "never": ["ExcessiveWorkingHours"]},
    "confined": {"yes": ["RestrictsMovement"]},
    "contact_restricted": {"yes": ["Other"]},
    "violence_destination": {"yes": ["PhysicalAbuse"]},
    "recruitment_violence": {"yes": ["PhysicalAbuse"]},
    "recruitment_coercion": {
        "threatened_harm": ["Threats"],
        "threatened_family": ["Threats"],
        "threatened_report": ["ThreatOfLawEnforcement"],
        "threatened_shame": ["PsychologicalAbuse"],
        "kept_locked": ["RestrictsMovement"],
    },
    "sick_no_care": {"yes": ["RestrictsMedicalCare"]},
    "job_different": {"yes": ["FalsePromises"]},
    "promises_broken": {
        key: ["FalsePromises"]
        for key in (
            "wages",
            "hours_conditions",
            "housing",
            "papers_visa",
            "travel",
            "school_training",
            "marriage",
            "family_join",
        )
    },
}

#: exploitation_type (the officer's reading) -> vic_TypeOfExploitation
EXPLOITATION: dict[str, str] = {
    "labour": "ForcedLabour",
    "sexual": "SexualExploitation",
    "criminal": "IllicitActivities",
}

#: job_type (departure) / work_type (returnee) -> (vic_TypeOfLabourExploitation,
#: vic_LabourIndustry ISIC v4 section)
WORK: dict[str, tuple[str, str | None]] = {
    "domestic": ("DomesticWork", "T_ActivitiesOfHouseholdsAsEmployers"),
    "caregiver": ("DomesticWork", "T_ActivitiesOfHouseholdsAsEmployers"),
    "factory": ("Manufacturing", "C_Manufacturing"),
    "plantation": ("Agriculture", "A_AgricultureForestryAndFishing"),
    "construction": ("Construction", "F_Construction"),
    "fishing": ("Other", "A_AgricultureForestryAndFishing"),
    "hospitality": ("Hospitality", "I_AccommodationAndFoodServiceActivities"),
    "restaurant_entertainment": ("Hospitality", "I_AccommodationAndFoodServiceActivities"),
    "massage_spa": ("Other", "S_OtherServiceActivities"),
    "it_online": ("IllicitActivities", None),
    "online_scam": ("IllicitActivities", None),
    "other": ("Other", None),
}

#: identifying questions -> HTCDS person fields (only in an export opened with the key, and
#: only with consent to share)
PERSON: dict[str, str] = {
    "full_name": "prs_FirstName",
    "name": "prs_FirstName",
    "phone": "prs_MobilePhone",
    "document_number": "x_DocumentNumber",
    "passport_number": "x_DocumentNumber",
}


def _keys(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, str):
        return [value]
    return []


def _collect(answers: dict[str, Any], table: dict[str, dict[str, list[str]]]) -> list[str]:
    found: list[str] = []
    for qid, by_answer in table.items():
        for key in _keys(answers.get(qid)):
            for value in by_answer.get(key, []):
                if value not in found:
                    found.append(value)
    return found


def _name(value: Any, lang: str) -> Any:
    if isinstance(value, dict):
        return value.get(lang) or next(iter(value.values()), None)
    return value


def skip_reason(record: dict[str, Any]) -> str | None:
    """Why a record has no HTCDS case, or None."""
    if record.get("status") != "completed":
        return "a draft"
    if record.get("outcome") == "consent_declined":
        return "consent declined"
    return None


def _made_referrals(made: list[dict[str, Any]], lang: str) -> dict[str, Any]:
    """The referral fields from the referrals actually made (``screening referrals``), which
    replace the ones the screening only recommended: whom, when, and whether any is open."""
    open_ = any(r.get("status") != "closed" for r in made)
    return {
        "cas_Status": "FollowUp" if open_ else "ClosedReferred",
        "cas_ReferredOrganisation": list(dict.fromkeys(
            _name(r.get("service_name"), lang) or r.get("service") for r in made)),
        "cas_ReasonForOutgoingReferral": "AdditionalServicesRequired",
        "cas_OutgoingReferralDate": min(r["created_at"] for r in made)[:10],
        "cas_OutgoingReferralDetails": "; ".join(
            f"{r['id']} {r['service']}: {r['status']}"
            + (f" ({r['outcome']})" if r.get("outcome") else "") for r in made),
    }


def to_case(record: dict[str, Any], *, lang: str = "en") -> dict[str, Any]:
    """One completed record as an HTCDS case. Identifying person fields appear only when the
    record's values are plain (opened with the key and shared with consent)."""
    answers = {k: v for k, v in (record.get("answers") or {}).items() if not isinstance(v, dict)}
    assessment = record.get("assessment") or {}
    level = record.get("level")
    referrals = [_name(r.get("name"), lang) for r in assessment.get("referrals") or []]
    made = [r for r in record.get("referrals") or [] if not r.get("information_only")]
    exploitation = [
        EXPLOITATION[k] for k in _keys(answers.get("exploitation_type")) if k in EXPLOITATION
    ]
    if answers.get("marriage") == "pushed":
        exploitation.append("ForcedMarriage")
    work = next(
        (WORK[k] for q in ("job_type", "work_type") for k in _keys(answers.get(q)) if k in WORK),
        None,
    )
    case: dict[str, Any] = {
        "cas_Status": "ClosedReferred" if level in ("high", "medium") else "Closed",
        "cas_ReferredOrganisation": referrals,
        "cas_ReasonForOutgoingReferral": "AdditionalServicesRequired" if referrals else None,
        "cas_OutgoingReferralDate": (record.get("completed_at") or "")[:10] or None,
        "cas_OutgoingReferralDetails": (
            f"Recommended by a screening at the immigration counter (level {level})"
            if referrals
            else None
        ),
        **(_made_referrals(made, lang) if made else {}),
        "vic_AgreementToManagePersonalData": record.get("consent_share"),
        "vic_MethodOfRecruitment": _collect(answers, RECRUITMENT),
        "vic_MethodsOfControl": _collect(answers, CONTROL),
        "vic_TypeOfExploitation": exploitation,
        "vic_TypeOfLabourExploitation": [work[0]] if work else [],
        "vic_LabourIndustry": [work[1]] if work and work[1] else [],
    }
    for qid, field in PERSON.items():
        value = answers.get(qid)
        if isinstance(value, str) and value not in ("unknown", "declined"):
            case[field] = value
    case["x_screening"] = {
        "record_id": record.get("id"),
        "questionnaire": record.get("questionnaire"),
        "questionnaire_version": record.get("questionnaire_version"),
        "level": level,
        "trafficking_indicated": assessment.get("trafficking_indicated"),
        "positive_dimensions": [
            d for d, r in (assessment.get("dimensions") or {}).items() if r.get("positive")
        ],
        "location": record.get("location"),
        "officer": record.get("officer"),
        "completed_at": record.get("completed_at"),
        "htcds_version": HTCDS_VERSION,
    }
    return case
