"""A screening record as a case of IOM's Human Trafficking Case Data Standard (HTCDS) 2.0.

Pure: a record dict (as the store returns it, opened or not) in, one HTCDS case dict out.
Only field names and picklist value names of the standard's field table are written, never a
deprecated field; the project's own fields start with ``x_``. The mapping is data, keyed on
what the bundled content names: indicator ids (whatever question revealed them) and, where an
answer says more than any indicator, question ids and option keys. Tests check that every id
and key named here exists in the bundled content and that every indicator and every option of
a question read here is mapped or deliberately left out, so a content edit cannot break the
mapping silently. ``docs/htcds.md`` is generated from these tables (``htcds_doc``).

A screening is not a case: the person screened is not an identified victim. The referral
fields come from the referrals actually made (``screening referrals``), never from a level's
suggestions, and not from a referral recorded as information given only.
"""

from __future__ import annotations

from typing import Any

from screening.models.base import localized

HTCDS_VERSION = "2.0"

RECRUITMENT = "vic_MethodOfRecruitment"
CONTROL = "vic_MethodsOfControl"
EXPLOITATION = "vic_TypeOfExploitation"
SEX_EXPLOITATION = "vic_TypeOfSexExploitation"
INDUSTRY = "vic_ForcedLabourIndustry"

#: Multi-select picklists, written as JSON lists in this order; the others are single values.
MULTI = (RECRUITMENT, CONTROL, EXPLOITATION, SEX_EXPLOITATION)

#: HTCDS 2.0 has no details field beside these picklists, so the detail of an ``Other`` (or
#: of work no ISIC section fits) goes to the project's own field.
DETAILS = {
    RECRUITMENT: "x_MethodOfRecruitmentDetails",
    CONTROL: "x_MethodsOfControlDetails",
    EXPLOITATION: "x_TypeOfExploitationDetails",
    INDUSTRY: "x_ForcedLabourIndustryDetails",
}

Value = tuple[str, str]  # (HTCDS field, value name)

_FALSE_PROMISES: tuple[Value, ...] = ((CONTROL, "FalsePromises"),)
_RESTRICTS_MOVEMENT: tuple[Value, ...] = ((CONTROL, "Other"),)  # see docs: RestrictsMovement
_OTHER_CONTROL: tuple[Value, ...] = ((CONTROL, "Other"),)

#: indicator id -> HTCDS values it gives (an ``Other`` carries the indicator's label as detail)
INDICATORS: dict[str, tuple[Value, ...]] = {
    # deceptive recruitment: tricked into the situation (Field Definitions: FalsePromises)
    "deceptive_recruitment.nature_of_job": _FALSE_PROMISES,
    "deceptive_recruitment.working_conditions": _FALSE_PROMISES,
    "deceptive_recruitment.contract": _FALSE_PROMISES,
    "deceptive_recruitment.family_reunification": _FALSE_PROMISES,
    "deceptive_recruitment.housing": _FALSE_PROMISES,
    "deceptive_recruitment.legal_documents": _FALSE_PROMISES,
    "deceptive_recruitment.travel_conditions": _FALSE_PROMISES,
    "deceptive_recruitment.wages": _FALSE_PROMISES,
    "deceptive_recruitment.marriage_or_adoption": (*_FALSE_PROMISES, (RECRUITMENT, "Other")),
    "deceptive_recruitment.education": _FALSE_PROMISES,
    # coercive recruitment
    "coercive_recruitment.violence": ((CONTROL, "PhysicalAbuse"),),
    "coercive_recruitment.abduction_or_sale": ((RECRUITMENT, "Other"),),
    "coercive_recruitment.confiscation_of_documents": ((CONTROL, "WithholdsDocuments"),),
    "coercive_recruitment.debt_bondage": ((CONTROL, "DebtBondage"),),
    "coercive_recruitment.isolation": _RESTRICTS_MOVEMENT,
    "coercive_recruitment.threat_of_denunciation": ((CONTROL, "ThreatsLawEnforcement"),),
    "coercive_recruitment.threats_of_violence": ((CONTROL, "PhysicalThreats"),),
    "coercive_recruitment.threat_to_inform_family": ((CONTROL, "PsychologicalAbuse"),),
    "coercive_recruitment.violence_against_family": ((CONTROL, "ThreatensChildrenFamily"),),
    "coercive_recruitment.withholding_of_money": ((CONTROL, "RestrictsFinancialAccess"),),
    # exploitation: only the conditions that are also a means of control
    "exploitation.excessive_hours": ((CONTROL, "ExcessiveWorkingHours"),),
    "exploitation.bad_living_conditions": ((CONTROL, "WithholdsNecessities"),),
    "exploitation.wage_manipulation": ((CONTROL, "TakesEarnings"),),
    "exploitation.forced_into_commercial_sex": ((EXPLOITATION, "SexualExploitation"),),
    # coercion at destination: every one is a means of control; Other where no value fits
    "coercion_destination.confiscation_of_documents": ((CONTROL, "WithholdsDocuments"),),
    "coercion_destination.debt_bondage": ((CONTROL, "DebtBondage"),),
    "coercion_destination.isolation": _RESTRICTS_MOVEMENT,
    "coercion_destination.violence": ((CONTROL, "PhysicalAbuse"),),
    "coercion_destination.forced_criminal_activity": ((EXPLOITATION, "Other"),),
    "coercion_destination.forced_tasks_or_clients": _OTHER_CONTROL,
    "coercion_destination.forced_against_peers": _OTHER_CONTROL,
    "coercion_destination.forced_to_lie": _OTHER_CONTROL,
    "coercion_destination.threat_of_denunciation": ((CONTROL, "ThreatsLawEnforcement"),),
    "coercion_destination.threat_of_worse_conditions": _OTHER_CONTROL,
    "coercion_destination.threats_of_violence": ((CONTROL, "PhysicalThreats"),),
    "coercion_destination.strong_influence": _OTHER_CONTROL,
    "coercion_destination.violence_against_family": ((CONTROL, "ThreatensChildrenFamily"),),
    "coercion_destination.withholding_of_wages": ((CONTROL, "TakesEarnings"),),
    "coercion_destination.threat_to_inform_family": ((CONTROL, "PsychologicalAbuse"),),
}

#: indicators (or whole dimensions) deliberately given no HTCDS value, and why
NOT_MAPPED: dict[str, str] = {
    "vulnerability_recruitment": "HTCDS 2.0 deprecated its vulnerability fields in favour of "
    "assessment sections that have no fields yet",
    "vulnerability_destination": "as above: no HTCDS 2.0 field for vulnerabilities",
    "exploitation.hazardous_work": "a working condition, not a means of control or a type",
    "exploitation.low_or_no_salary": "a working condition; wages taken or withheld are "
    "mapped from their own indicators (TakesEarnings)",
    "exploitation.no_respect_of_labour_law": "a working condition, not a means of control",
    "exploitation.no_social_protection": "a working condition, not a means of control",
    "exploitation.very_bad_working_conditions": "a working condition, not a means of control",
    "exploitation.no_access_to_education": "a working condition, not a means of control",
}

_LABOUR = ((EXPLOITATION, "ForcedLabour"),)
_NONE: tuple[Value, ...] = ()

#: question id -> option key (or yes/no) -> HTCDS values; every option of the question in
#: every bundled script is listed, () where it gives nothing. An ``Other`` carries the
#: option's label as detail.
ANSWERS: dict[str, dict[str, tuple[Value, ...]]] = {
    "recruiter": {
        "agency": ((RECRUITMENT, "Other"),),
        "p3mi": ((RECRUITMENT, "Other"),),
        "sponsor": ((RECRUITMENT, "Other"),),
        "neighbour_relative": ((RECRUITMENT, "Other"),),
        "partner": ((RECRUITMENT, "Other"),),
        "social_media": ((RECRUITMENT, "ThroughOnlineSocialNetworks"),),
        "online": ((RECRUITMENT, "ThroughOnlineSocialNetworks"),),
        "other": ((RECRUITMENT, "Other"),),
        "found_myself": _NONE,  # nobody recruited: no method of recruitment
        "myself": _NONE,
    },
    "exploitation_type": {
        "labour": _LABOUR,
        "sexual": ((EXPLOITATION, "SexualExploitation"),),
        "criminal": ((EXPLOITATION, "Other"),),
        "not_clear": _NONE,
        "unclear": _NONE,
    },
    "marriage": {
        "pushed": ((EXPLOITATION, "ForcedMarriage"),),
        # a marriage arranged for payment by a go-between: sold into marriage
        "matchmaker_paid": ((EXPLOITATION, "ForcedMarriage"),),
        "promised": _NONE,  # the false promise: deceptive_recruitment.marriage_or_adoption
        "no_plan": _NONE,
        "own_choice": _NONE,
    },
    "forced_acts": {
        "sex_with_clients": (
            (EXPLOITATION, "SexualExploitation"),
            (SEX_EXPLOITATION, "Prostitution"),
        ),
        "illegal": _NONE,  # coercion_destination.forced_criminal_activity
        "refused_tasks": _NONE,
        "lie": _NONE,
        "against_others": _NONE,
        "none": _NONE,
    },
    "sick_no_care": {"yes": ((CONTROL, "RestrictsMedicalCare"),), "no": _NONE},
    "job_type": {
        "domestic": ((INDUSTRY, "T_ActivitiesOfHouseholdsAsEmployers"),),
        "caregiver": ((INDUSTRY, "T_ActivitiesOfHouseholdsAsEmployers"),),
        "factory": ((INDUSTRY, "C_Manufacturing"),),
        "plantation": ((INDUSTRY, "A_AgricultureForestryAndFishing"),),
        "construction": ((INDUSTRY, "F_Construction"),),
        "fishing": ((INDUSTRY, "A_AgricultureForestryAndFishing"),),
        "hospitality": ((INDUSTRY, "I_AccommodationAndFoodServiceActivities"),),
        "massage_spa": ((INDUSTRY, "S_OtherServiceActivities"),),
        "it_online": _NONE,
        "other": _NONE,
    },
    "work_type": {
        "domestic": ((INDUSTRY, "T_ActivitiesOfHouseholdsAsEmployers"),),
        "caregiver": ((INDUSTRY, "T_ActivitiesOfHouseholdsAsEmployers"),),
        "factory": ((INDUSTRY, "C_Manufacturing"),),
        "plantation": ((INDUSTRY, "A_AgricultureForestryAndFishing"),),
        "construction": ((INDUSTRY, "F_Construction"),),
        "fishing": ((INDUSTRY, "A_AgricultureForestryAndFishing"),),
        "restaurant_entertainment": ((INDUSTRY, "I_AccommodationAndFoodServiceActivities"),),
        "massage_spa": ((INDUSTRY, "S_OtherServiceActivities"),),
        "online_scam": _NONE,
        "other": _NONE,
    },
}

#: the questions whose answer names the work; an option without an ISIC section gives its
#: label as x_ForcedLabourIndustryDetails
WORK_QUESTIONS = ("job_type", "work_type")

#: profiles of the bundled indicator set that are children's: labour becomes ChildLabour
CHILD_PROFILES = ("child-labour", "child-sexual")
#: vic_ForcedLabourIndustry only when the case has one of these types of exploitation
LABOUR_TYPES = ("ForcedLabour", "ChildLabour")
#: the officer's reading of the kind of exploitation: it also picks the indicator list, so it
#: is answered for everyone; it counts only when the screening suspects something (a level
#: in SUSPECTED, of identification or of departure risk)
READING_QUESTIONS = ("exploitation_type",)
SUSPECTED = ("medium", "high")

#: identifying questions -> HTCDS person fields (only in an export opened with the key, and
#: only with consent to share)
PERSON: dict[str, str] = {
    "full_name": "prs_FirstName",
    "name": "prs_FirstName",
    "phone": "prs_MobilePhone",
    "document_number": "prs_IdentityNumber",
    "passport_number": "prs_IdentityNumber",
}

#: what the standard's vic_TraffickingStatus names a screening whose indicators are
#: consistent with trafficking (Field Definitions: indicators present, not verified), and who
#: said so (an immigration office)
POSSIBLE_VICTIM = "PossibleVictimOfTrafficking"
DECIDED_BY = "NonPoliceGovernmentalOrganization"


def _keys(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, str):
        return [value]
    return []


def _findings(assessment: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        finding
        for dimension in (assessment.get("dimensions") or {}).values()
        for finding in dimension.get("present") or []
    ]


def _option_label(questionnaire: Any, qid: str, key: str, lang: str) -> str:
    question = questionnaire.question(qid) if questionnaire is not None else None
    option = question.option(key) if question is not None else None
    if option is None:
        return f"{qid}: {key}"
    return localized(option.label, lang)


#: ``cas_Status`` while a referral is open, and once every referral is closed.
STATUS_OPEN = "FollowUp"
STATUS_CLOSED = "ClosedReferred"
REFERRAL_REASON = "AdditionalServicesRequired"


def referral_fields(record: dict[str, Any], lang: str) -> dict[str, Any]:
    """The case's referral fields from the referrals made; none when there is none. The
    organisations (a lookup: one text) are joined with "; "; no referral's words leave."""
    made = [r for r in record.get("referrals") or [] if not r.get("information_only")]
    if not made:
        return {}
    names = []
    for r in made:
        name = r.get("service_name")
        text = localized(name, lang) if isinstance(name, dict) else str(r.get("service"))
        if text not in names:
            names.append(text)
    return {
        "cas_Status": STATUS_OPEN if any(r.get("status") != "closed" for r in made)
        else STATUS_CLOSED,
        "cas_ReferredOrganisation": "; ".join(names),
        "cas_OutgoingReferralDate": min(str(r["created_at"]) for r in made)[:10],
        "cas_ReasonForOutgoingReferral": REFERRAL_REASON,
        "cas_OutgoingReferralDetails": "; ".join(
            f"{r['id']} {r['service']}: {r['status']}"
            + (f" ({r['outcome']})" if r.get("outcome") else "") for r in made),
        "x_Referrals": [{k: r.get(k) for k in ("id", "service", "status", "outcome",
                                                 "created_at", "closed_at")} for r in made],
    }


def skip_reason(record: dict[str, Any]) -> str | None:
    """Why a record has no HTCDS case, or None."""
    if record.get("status") != "completed":
        return "a draft"
    if record.get("outcome") == "consent_declined":
        return "consent declined"
    return None


def to_case(
    record: dict[str, Any], questionnaire: Any = None, *, lang: str = "en"
) -> dict[str, Any]:
    """One completed record as an HTCDS case. ``questionnaire`` (the record's own script)
    words the details of an ``Other``; identifying person fields appear only when the record's
    values are plain (opened with the key and shared with consent)."""
    answers = {k: v for k, v in (record.get("answers") or {}).items() if not isinstance(v, dict)}
    assessment = record.get("assessment") or {}
    values: dict[str, list[str]] = {}
    details: dict[str, list[str]] = {}

    def add(field: str, value: str, detail: str) -> None:
        values.setdefault(field, [])
        if value not in values[field]:
            values[field].append(value)
        if value == "Other" and detail not in details.setdefault(field, []):
            details[field].append(detail)

    indicators = []
    for finding in _findings(assessment):
        indicators.append(finding.get("id"))
        label = finding.get("label")
        detail = localized(label, lang) if isinstance(label, dict) else str(finding.get("id"))
        for field, value in INDICATORS.get(str(finding.get("id")), ()):
            add(field, value, detail)
    departure = assessment.get("departure_risk")
    risk = departure.get("level") if isinstance(departure, dict) else None
    suspected = record.get("level") in SUSPECTED or risk in SUSPECTED
    for qid, by_option in ANSWERS.items():
        if qid in READING_QUESTIONS and not suspected:
            continue
        for key in _keys(answers.get(qid)):
            for field, value in by_option.get(key, ()):
                add(field, value, _option_label(questionnaire, qid, key, lang))
    kinds = values.get(EXPLOITATION, [])
    if assessment.get("profile") in CHILD_PROFILES and "ForcedLabour" in kinds:
        kinds[kinds.index("ForcedLabour")] = "ChildLabour"
        values[EXPLOITATION] = list(dict.fromkeys(kinds))
    labour = any(kind in LABOUR_TYPES for kind in values.get(EXPLOITATION, []))
    industry = values.pop(INDUSTRY, [])
    if labour and not industry:  # work no ISIC section fits: say what it was
        for qid in WORK_QUESTIONS:
            work = answers.get(qid)
            if isinstance(work, str) and work in ANSWERS[qid]:
                details[INDUSTRY] = [_option_label(questionnaire, qid, work, lang)]
                break

    case: dict[str, Any] = {}
    if assessment.get("trafficking_indicated") is True:
        case["vic_TraffickingStatus"] = POSSIBLE_VICTIM
        case["vic_TraffickingStatusDecisionMakingOrg"] = DECIDED_BY
    for field in MULTI:
        if values.get(field):
            case[field] = values[field]
    if labour and industry:
        case[INDUSTRY] = industry[0]
    if record.get("consent_share") is not None:
        case["con_Consent"] = bool(record["consent_share"])
    for qid, field in PERSON.items():
        given = answers.get(qid)
        if isinstance(given, str) and given not in ("unknown", "declined"):
            case[field] = given
    for field, x_field in DETAILS.items():
        if details.get(field):
            case[x_field] = "; ".join(details[field])
    case.update(referral_fields(record, lang))
    dimensions = assessment.get("dimensions") or {}
    case.update({
        "x_RecordId": record.get("id"),
        "x_Questionnaire": record.get("questionnaire"),
        "x_QuestionnaireVersion": record.get("questionnaire_version"),
        "x_IndicatorSet": assessment.get("set_id"),
        "x_IndicatorSetVersion": assessment.get("set_version"),
        "x_Profile": assessment.get("profile"),
        "x_Level": record.get("level"),
        "x_TraffickingIndicated": assessment.get("trafficking_indicated"),
        "x_PositiveDimensions": [d for d, r in dimensions.items() if r.get("positive")],
        "x_Indicators": indicators,
    })
    if isinstance(departure, dict):
        case["x_DepartureRisk"] = departure.get("level")
        case["x_DepartureRiskFlags"] = [f.get("id") for f in departure.get("flags") or []]
    case.update({
        "x_Location": record.get("location"),
        "x_Officer": record.get("officer"),
        "x_CompletedAt": record.get("completed_at"),
        "x_ErasedAt": record.get("erased_at"),
        "x_HtcdsVersion": HTCDS_VERSION,
    })
    return case
