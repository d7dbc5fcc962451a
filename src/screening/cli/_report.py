"""What the officer sees when an interview ends: the assessment, what to do, the slip."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.text import Text

    from screening.cli._walk import Session
    from screening.models import IndicatorSet, Question, Questionnaire
    from screening.models.assessment import Assessment


LEVEL_STYLE = {
    "high": "bold white on red",
    "medium": "bold black on yellow",
    "low": "bold black on green",
}


def render_outcome(console: Console, session: Session, assessment: Assessment | None) -> None:
    """The assessment (when there is one), then the slip in the person's language; through
    the pager when taller than the terminal, the short summary repeated after it."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.text import Text

    from screening.assessment.slip import slip_text
    from screening.cli._messages import t
    from screening.cli._pager import show

    parts: list[RenderableType] = []
    if assessment is not None:
        parts.append(
            render_assessment(
                assessment,
                ui=session.ui,
                questionnaire=session.questionnaire,
                indicator_set=session.indicator_set,
            )
        )
    text = slip_text(session.indicator_set, session.language)
    parts.append(Panel(Text(text), title=t("slip_title", session.ui), border_style="green"))
    paged = show(console, Group(*parts), soft_wrap=True)
    if paged and assessment is not None:
        console.print(
            Group(*summary_lines(assessment, ui=session.ui, indicator_set=session.indicator_set)),
            soft_wrap=True,
        )


def write_slip(indicator_set: IndicatorSet, lang: str, path: Path) -> None:
    import sys

    from screening.assessment.slip import slip_html, slip_text
    from screening.errors import ScreeningError
    from screening.files import write_private

    body = (
        slip_html(indicator_set, lang)
        if path.suffix.lower() in (".html", ".htm")
        else slip_text(indicator_set, lang)
    )
    if str(path) == "-":  # --slip -: stdout, before the record id
        sys.stdout.write(slip_text(indicator_set, lang) + "\n")
        sys.stdout.flush()
        return
    try:
        write_private(path, body)  # owner-only, all or nothing
    except OSError as exc:
        raise ScreeningError(f"cannot write the slip to {path}: {exc.strerror or exc}") from None


def render_assessment(
    assessment: Assessment,
    *,
    ui: str = "en",
    questionnaire: Questionnaire | None = None,
    indicator_set: IndicatorSet | None = None,
) -> RenderableType:
    """The assessment explained for the officer: level, why, coverage, actions, referrals."""
    from rich.console import Group
    from rich.markup import escape
    from rich.text import Text

    from screening.cli._messages import t
    from screening.models.base import localized

    def line(markup: str) -> Text:
        return Text.from_markup(markup)

    a = assessment
    parts: list[RenderableType] = []
    if a.departure_risk is not None:
        # At a departure the risk of this trip is what the officer acts on: it leads.
        parts += departure_risk_lines(a.departure_risk, ui, questionnaire)
        parts.append(line(f"\n[bold underline]{t('identification', ui)}[/]"))
    parts += summary_lines(a, ui=ui, indicator_set=indicator_set)
    parts.append(line(f"{t('profile', ui)}: [bold]{escape(profile_name(a.profile, ui))}[/] "
                      f"({escape(chosen_because(a, ui))})"))
    if a.provenance:
        what = (t("provenance_checked", ui) if a.provenance.get("status") == "checked"
                else t("provenance_derived", ui))
        scored_on = t("provenance", ui, profile=profile_name(a.profile, ui), what=what)
        parts.append(line(f"[dim]{escape(scored_on)}[/]"))
    if a.child_rule:
        cr = a.child_rule
        parts.append(line(escape(t(
            "child_rule", ui, follows=t("child_rule." + cr["follows"], ui),
            law=t("rule_met" if cr["law"] else "not_met", ui),
            ilo=t("rule_met" if cr["ilo"] else "not_met", ui)))))
    if a.vulnerabilities_noted:
        names = [dimension_name(d, ui, indicator_set) for d in a.vulnerabilities_noted]
        noted = t("vulnerabilities_noted", ui, dims=", ".join(names))
        parts.append(line(f"[yellow]{escape(noted)}[/]"))
    combo = t("met", ui) if a.trafficking_indicated else t("not_met", ui)
    parts.append(line(f"{t('combination', ui)}: {escape(combo)}"))
    marks = "  ".join(
        f"{escape(t('element.' + e, ui))} "
        + (f"[green]{t('value_yes', ui)}[/]" if found else f"[dim]{t('value_no', ui)}[/]")
        for e, found in a.elements.items()
    )
    parts.append(line(f"{t('elements', ui)}: {marks}"))

    parts.append(line(f"\n[bold underline]{t('why', ui)}[/]"))
    shown = [d for d in a.dimensions.values() if d.present]
    if not shown:
        parts.append(line(f"  {escape(t('none_present', ui))}"))
    for d in sorted(shown, key=lambda d: not d.positive):
        counts = t("counts", ui, strong=d.strong, medium=d.medium, weak=d.weak)
        name = escape(dimension_name(d.id, ui, indicator_set))
        if d.positive:
            head = (
                f"  [bold red]{name}[/]: {t('positive', ui)}, {t('clause', ui)} "
                f'[bold]"{escape(clause_label(d.clause or "", ui))}"[/] ({counts})'
            )
        else:
            head = f"  [bold]{name}[/]: {t('not_positive', ui)} ({counts})"
        parts.append(line(head))
        for finding in d.present:
            parts.append(
                line(
                    f"    - {escape('[' + t('tier.' + finding.tier, ui) + ']')} "
                    f"{escape(localized(finding.label, ui))}"
                )
            )
            for ref in finding.answers:
                asked = questionnaire.question(ref.question) if questionnaire else None
                text = f": {localized(asked.text, ui)}" if asked else ""
                parts.append(
                    line(
                        f"        [dim]{escape(ref.question)}{escape(text)} ->[/] "
                        f"[bold]{escape(_answer(ref.answer, asked, ui))}[/]"
                    )
                )

    parts.append(line(f"\n[bold underline]{t('coverage', ui)}[/]"))
    parts.append(
        line(
            "  "
            + escape(
                t(
                    "coverage_line",
                    ui,
                    pct=f"{a.coverage:.0%}",
                    total=a.indicator_count,
                    unknown=len(a.unknown),
                )
            )
        )
    )
    if a.coverage_warning:
        parts.append(line(f"  [bold yellow]{escape(coverage_warning(a, ui))}[/]"))

    if a.referrals:
        parts.append(line(f"\n[bold underline]{t('referrals', ui)}[/]"))
        for referral in a.referrals:
            parts.append(
                line(
                    f"  - [bold]{escape(localized(referral['name'], ui))}[/]: "
                    f"{escape(str(referral['contact']))}"
                )
            )
            parts.append(line(f"    [dim]{escape(localized(referral['description'], ui))}[/]"))
    if a.non_punishment:
        parts.append(
            line(
                f"\n[bold magenta]{t('non_punishment', ui)}:[/] "
                f"{escape(localized(a.non_punishment, ui))}"
            )
        )
    parts.append(line(f"\n[dim]{escape(t('screening_only', ui))}[/]"))
    return Group(*parts)


def departure_risk_lines(risk: Any, ui: str, questionnaire: Questionnaire | None) -> list[Any]:
    from rich.markup import escape
    from rich.text import Text

    from screening.cli._messages import t
    from screening.models.base import localized

    def line(markup: str) -> Text:
        return Text.from_markup(markup)

    title = localized(risk.title, ui) if risk.title else ""
    parts: list[Any] = [
        line(f"[bold underline]{t('departure_risk', ui)}[/]"),
        line(f"{t('level', ui)}: [{LEVEL_STYLE[risk.level]}] "
             f"{t('level.' + risk.level, ui).upper()} [/] [bold]{escape(title)}[/]"),
    ]
    if risk.missing and not risk.flags and risk.level != "low":
        parts.append(line(escape(t("risk_missing", ui, ids=", ".join(risk.missing)))))
    if risk.document:
        parts.append(line(escape(t("risk_document", ui, doc=localized(risk.document, ui)))))
    for alert in risk.alerts:
        text = escape(localized(alert["alert"], ui))
        parts.append(line(f"  [yellow]{t('risk_alert', ui)}:[/] {text} "
                          f"[dim]({escape(alert['source'])}; {alert['reviewed']})[/]"))
    parts.append(line(f"[bold]{t('risk_flags', ui)}[/]"))
    if not risk.flags:
        parts.append(line(f"  {escape(t('risk_none', ui))}"))
    for flag in risk.flags:
        tier = "[" + t("level." + flag.level, ui) + "]"
        parts.append(line(f"  - {escape(tier)} {escape(localized(flag.label, ui))} "
                          f"[dim]({flag.id})[/]"))
        if flag.why:
            parts.append(line(f"      [dim]{escape(localized(flag.why, ui))}[/]"))
        for ref in flag.answers:
            asked = questionnaire.question(ref.question) if questionnaire else None
            parts.append(line(f"      [dim]{escape(ref.question)} ->[/] "
                              f"{escape(_answer(ref.answer, asked, ui))}"))
    if risk.unknown:
        unknown = t("risk_unknown", ui, ids=", ".join(risk.unknown))
        parts.append(line(f"  [yellow]{escape(unknown)}[/]"))
    if risk.actions:
        parts.append(line(f"[bold]{t('actions', ui)}[/]"))
        for n, action in enumerate(risk.actions, start=1):
            parts.append(line(f"  {n}. {escape(localized(action, ui))}"))
    return parts


def summary_lines(
    assessment: Assessment, *, ui: str, indicator_set: IndicatorSet | None = None
) -> list[Text]:
    """The short summary: the level, why in one line, and what to do."""
    from rich.markup import escape
    from rich.text import Text

    from screening.cli._messages import t
    from screening.models.base import localized

    a = assessment
    title = localized(a.level_title, ui) if a.level_title else ""
    out = []
    if a.departure_risk is not None:
        risk = a.departure_risk
        risk_title = localized(risk.title, ui) if risk.title else ""
        out.append(Text.from_markup(
            f"{t('departure_risk_short', ui)}: [{LEVEL_STYLE[risk.level]}] "
            f"{t('level.' + risk.level, ui).upper()} [/] [bold]{escape(risk_title)}[/]"))
    out += [
        Text.from_markup(
            f"{t('level', ui)}: [{LEVEL_STYLE[a.level]}] {t('level.' + a.level, ui).upper()} [/] "
            f"[bold]{escape(title)}[/]"
        )
    ]
    positive = [dimension_name(d, ui, indicator_set) for d in a.positive_dimensions]
    if positive:
        why = t("why_positive", ui, dims=", ".join(positive))
    elif a.any_present:
        n = sum(len(d.present) for d in a.dimensions.values())
        why = t("why_some", ui, n=n)
    else:
        why = t("none_present", ui)
    out.append(Text.from_markup(f"{t('why', ui)}: {escape(why)}"))
    if a.actions:
        out.append(Text.from_markup(f"[bold underline]{t('actions', ui)}[/]"))
        for n, action in enumerate(a.actions, start=1):
            out.append(Text.from_markup(f"  {n}. {escape(localized(action, ui))}"))
    return out


def profile_name(profile: str, ui: str) -> str:
    from screening.cli._messages import MESSAGES, t

    key = f"profile.{profile}"
    return t(key, ui) if key in MESSAGES else profile


def dimension_name(dimension_id: str, ui: str, indicator_set: IndicatorSet | None) -> str:
    """A dimension's title from the indicator set, else its id."""
    from screening.models.base import localized

    if indicator_set is not None:
        for dimension in indicator_set.dimensions:
            if dimension.id == dimension_id:
                return localized(dimension.title, ui)
    return dimension_id


def clause_label(label: str, ui: str) -> str:
    """A rule clause ("1 strong + 1 medium or weak") in the officer's words."""
    import re

    from screening.cli._messages import t

    words = {"strong": t("tier.strong", ui), "medium": t("tier.medium", ui),
             "weak": t("tier.weak", ui), "or": t("word.or", ui), "and": t("word.and", ui)}
    return re.sub(r"[a-z]+", lambda m: words.get(m.group(0), m.group(0)), label)


def chosen_because(a: Assessment, ui: str) -> str:
    """Why this profile: the age, then the type of exploitation."""
    from screening.cli._messages import t

    if len(a.profiles_scored) == 1 and a.chosen_because.startswith("profile "):
        return t("why_given", ui)  # the profile was named on the command line
    if a.age is not None and a.age_in_doubt and a.age >= 18:
        why_age = t("why_age_doubt", ui, age=f"{a.age:g}")
    elif a.age is not None:
        age = f"{a.age:g}"
        why_age = t("why_child" if a.age < 18 else "why_adult", ui, age=age)
    elif a.chosen_because.startswith("age unknown: presumption"):
        why_age = t("why_age_unknown", ui)
    else:
        return a.chosen_because  # an older record: kept as it was written
    names = [profile_name(p, ui) for p in a.profiles_scored]
    if len(names) == 1:
        why_kind = t("why_kind", ui, profile=names[0])
    else:
        why_kind = t("why_several", ui, names="; ".join(names),
                     profile=profile_name(a.profile, ui))
    return f"{why_age}; {why_kind}"


def coverage_warning(a: Assessment, ui: str) -> str:
    from screening.cli._messages import t

    unreached = max(a.indicator_count - a.reachable_count, 0)
    text = t("coverage_warning", ui, pct=f"{a.coverage:.0%}", total=a.indicator_count,
             profile=profile_name(a.profile, ui), unknown=len(a.unknown))
    if unreached:
        text += " " + t("coverage_unreached", ui, n=unreached)
    return text


def _answer(value: Any, question: Question | None, ui: str) -> str:
    """An answer as the officer reads it: option labels rather than keys."""

    from screening.cli._walk import display_value

    def one(item: Any) -> str:
        if question is not None:
            return display_value(question, item, ui)
        return str(item)

    if isinstance(value, list):
        return ", ".join(one(v) for v in value)
    return one(value)
