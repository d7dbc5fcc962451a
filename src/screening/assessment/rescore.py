"""What changes when an old record is scored under other content, and why. Pure."""

from __future__ import annotations

from screening.models import IndicatorSet
from screening.models.assessment import Assessment


def differences(
    before: Assessment, after: Assessment, before_set: IndicatorSet, after_set: IndicatorSet
) -> list[str]:
    """Plain sentences, most important first: level, profile, dimensions, indicators."""
    out: list[str] = []
    old_risk, new_risk = before.departure_risk, after.departure_risk
    if old_risk is None and new_risk is not None:
        fired = ", ".join(f.id for f in new_risk.flags) or "no flag"
        out.append(f"departure risk: not judged by the old content → {new_risk.level} "
                   f"({new_risk.because}; flags: {fired})")
    elif old_risk is not None and new_risk is None:
        out.append(f"departure risk: {old_risk.level} → not judged by this content")
    elif old_risk is not None and new_risk is not None:
        if old_risk.level != new_risk.level:
            out.append(f"departure risk: {old_risk.level} → {new_risk.level} "
                       f"({new_risk.because})")
        old_flags = {f.id for f in old_risk.flags}
        new_flags = {f.id for f in new_risk.flags}
        for flag in sorted(new_flags - old_flags):
            out.append(f"departure risk flag {flag}: now fires")
        for flag in sorted(old_flags - new_flags):
            out.append(f"departure risk flag {flag}: no longer fires")
    if before.level != after.level:
        why = ""
        if after.vulnerabilities_noted and not before.vulnerabilities_noted:
            why = (" (only vulnerability dimensions are positive: noted, they never raise the "
                   "level alone)")
        out.append(f"level: {before.level} → {after.level}{why}")
    if before.profile != after.profile:
        out.append(f"profile: {before.profile} → {after.profile} ({after.chosen_because})")
    if before.trafficking_indicated != after.trafficking_indicated:
        out.append(
            f"trafficking combination: {_yes(before.trafficking_indicated)} → "
            f"{_yes(after.trafficking_indicated)}"
        )
    for dim_id in dict.fromkeys([*before.dimensions, *after.dimensions]):
        old, new = before.dimensions.get(dim_id), after.dimensions.get(dim_id)
        if old is None or new is None:
            out.append(f"{dim_id}: {'added' if old is None else 'removed'} in the new content")
            continue
        counts_old = (old.strong, old.medium, old.weak)
        counts_new = (new.strong, new.medium, new.weak)
        if old.positive != new.positive or counts_old != counts_new:
            clause = f" ({new.clause})" if new.positive and new.clause else ""
            out.append(
                f"{dim_id}: positive {_yes(old.positive)} → {_yes(new.positive)}{clause}; "
                f"strong/medium/weak {'/'.join(map(str, counts_old))} → "
                f"{'/'.join(map(str, counts_new))}"
            )
    present_before = {f.id: f.tier for d in before.dimensions.values() for f in d.present}
    present_after = {f.id: f.tier for d in after.dimensions.values() for f in d.present}
    for indicator_id in sorted(set(present_before) | set(present_after)):
        old_tier, new_tier = present_before.get(indicator_id), present_after.get(indicator_id)
        if old_tier and new_tier and old_tier != new_tier:
            out.append(f"{indicator_id}: tier {old_tier} → {new_tier} on {after.profile}")
        elif old_tier and not new_tier:
            why = _why_gone(indicator_id, after.profile, after_set)
            out.append(f"{indicator_id}: no longer counted ({why})")
        elif new_tier and not old_tier:
            why = (
                "now on the list"
                if before_set.indicator(indicator_id) is None
                or (
                    after.profile not in before_set.indicator(indicator_id).tiers  # type: ignore[union-attr]  # not None: checked above
                )
                else "now revealed by these answers"
            )
            out.append(f"{indicator_id}: now counted as {new_tier} ({why})")
    if round(before.coverage, 2) != round(after.coverage, 2):
        out.append(f"coverage: {before.coverage:.0%} → {after.coverage:.0%}")
    return out


def _why_gone(indicator_id: str, profile: str, indicator_set: IndicatorSet) -> str:
    indicator = indicator_set.indicator(indicator_id)
    if indicator is None:
        return "removed from the indicator set"
    if profile not in indicator.tiers:
        return f"not on the {profile} list any more"
    return "no answer maps to it any more"


def _yes(value: bool) -> str:
    return "yes" if value else "no"
