"""`screening report`: every figure against a hand-built set of records written below, sharing
(small counts and the counts that would give them back), the HTML parsed against the JSON,
bad input. The browser checks are in test_report_browser.py."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from screening.cli.main import app
from screening.content.catalogue import load_catalogue
from screening.records.store import Store
from screening.report.period import Period, resolve_period
from screening.report.tables import Table, suppress

runner = CliRunner()
OCTOBER = ["--since", "2026-10-01", "--until", "2026-10-31"]
#: Identifying and free-text answers: none may appear in any report.
SECRETS = ("Siti Contoh", "A7654321", "081234567890", "Malaysia", "Kota Bengkulu")

# -- the hand-built records -------------------------------------------------------------------


def assessment(level: str, *, child: bool = False, warning: bool = False,
               present: dict[str, list[str]] | None = None,
               risk: tuple[str, list[str]] | None = None,
               alerts: tuple[str, ...] = ()) -> dict[str, Any]:
    """The parts of a stored assessment the report reads."""
    data: dict[str, Any] = {
        "profile": "child-labour" if child else "adult-labour",
        "level": level,
        "coverage_warning": "few indicators could be assessed" if warning else None,
        "dimensions": {
            dim: {"positive": True, "present": [{"id": i, "tier": "strong"} for i in ids]}
            for dim, ids in (present or {}).items()
        },
    }
    data["dimensions"]["exploitation"] = data["dimensions"].get(
        "exploitation", {"positive": False, "present": []})
    if risk is not None:
        data["departure_risk"] = {"level": risk[0], "flags": [{"id": f} for f in risk[1]],
                                  "alerts": [{"id": a} for a in alerts]}
    return data


def add(store: Store, started: str, *, q: str = "departure", officer: str = "Petugas A",
        location: str = "Kanim Bengkulu, loket 1", outcome: str = "completed",
        result: dict[str, Any] | None = None, answers: dict[str, Any] | None = None,
        changes: dict[str, list[Any]] | None = None) -> str:
    """One record: started at ``started`` (UTC), ``outcome`` completed, consent_declined or
    draft; ``changes`` are earlier answers, changed before the last (as with :back)."""
    cat = load_catalogue(None)
    rid = store.create_record(
        questionnaire_id=q, questionnaire_version=cat.questionnaires[q].version,
        content_hash=cat.content_hash(q), snapshot=cat.snapshot(q), officer=officer,
        location=location, language="id", started_at=started)
    for qid, values in (changes or {}).items():
        for value in values:
            store.save_answer(rid, qid, value, officer=officer, at=started)
    for qid, value in (answers or {}).items():
        store.save_answer(rid, qid, value, officer=officer, at=started)
    if outcome == "draft":
        return rid
    store.finalize(
        rid, answers={} if outcome == "consent_declined" else dict(answers or {}),
        assessment=result, level=None if result is None else result["level"],
        outcome=outcome, completed_at=started, officer=officer, consent_share=True)
    return rid


def october(db: Path) -> Path:
    """The month the tests report on, with September before it and November after."""
    with Store(db) as s:
        # September: the previous period
        add(s, "2026-09-15T08:00:00.000000Z", result=assessment("high", present={
            "deceptive_recruitment": ["deceptive_recruitment.nature_of_job"]}))
        add(s, "2026-09-30T23:59:00.000000Z", result=assessment("low", child=True))
        # October, week of 28 Sep (from 1 Oct)
        add(s, "2026-10-01T00:00:00.000000Z", result=assessment("high", present={
            "deceptive_recruitment": ["deceptive_recruitment.nature_of_job",
                                      "deceptive_recruitment.wages"],
            "coercion_destination": ["coercion_destination.confiscation_of_documents"]}),
            answers={"purpose": "work", "who_arranged": "sponsor_individual",
                     "destination_country": "Malaysia", "full_name": "Siti Contoh",
                     "document_number": "A7654321", "phone": "081234567890",
                     "home_district": "Kota Bengkulu", "dependants": ["children", "parents"]})
        add(s, "2026-10-02T10:00:00.000000Z", officer="Petugas B",
            result=assessment("medium", child=True, present={
                "exploitation": ["exploitation.excessive_hours"]}),
            answers={"purpose": "work", "who_arranged": "family"})
        # week of 5 Oct
        add(s, "2026-10-06T09:00:00.000000Z", q="returnee",
            result=assessment("low", warning=True),
            answers={"recruiter": "p3mi", "departure_route": "unknown"})
        add(s, "2026-10-07T09:00:00.000000Z", result=assessment("low"),
            answers={"purpose": "unknown", "who_arranged": "declined"},
            changes={"purpose": ["tourism", "work"]})
        add(s, "2026-10-08T09:00:00.000000Z", location="Kanim Mukomuko",
            officer="Petugas C", result=assessment("low"))
        # week of 12 Oct
        add(s, "2026-10-13T09:00:00.000000Z", outcome="consent_declined")
        # week of 19 Oct
        add(s, "2026-10-20T09:00:00.000000Z", outcome="draft", answers={"purpose": "tourism"})
        # week of 26 Oct
        add(s, "2026-10-27T09:00:00.000000Z", q="returnee", officer="Petugas B",
            result=assessment("medium", present={
                "coercion_destination": ["coercion_destination.isolation",
                                         "coercion_destination.confiscation_of_documents"]}),
            answers={"recruiter": "sponsor", "departure_route": "unknown"},
            changes={"recruiter": ["p3mi"]})
        add(s, "2026-10-31T23:59:59.000000Z", result=assessment("low"))
        # November: after the period
        add(s, "2026-11-01T00:00:00.000000Z", result=assessment("high"))
    return db


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return october(tmp_path / "records.db")


def report(db: Path, *args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["report", "--db", str(db), "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def cells(data: dict[str, Any], table: str) -> dict[str, list[Any]]:
    t = data["tables"][table]
    return dict(zip(t["rows"], t["cells"], strict=True))


# -- every figure ------------------------------------------------------------------------------


def test_the_period_its_weeks_and_the_previous_month(db: Path) -> None:
    data = report(db, *OCTOBER)
    assert data["period"] == {"since": "2026-10-01", "until": "2026-10-31", "days": 31,
                              "bucket": "week"}
    assert data["previous_period"]["since"] == "2026-09-01"
    assert data["previous_period"]["until"] == "2026-09-30"
    assert data["empty"] is False and data["share"] is False


def test_screenings_by_week_and_script(db: Path) -> None:
    data = report(db, *OCTOBER)
    assert cells(data, "screenings_by_period") == {
        # completed, consent declined, draft
        "2026-10-01": [2, 0, 0],
        "2026-10-05": [3, 0, 0],
        "2026-10-12": [0, 1, 0],
        "2026-10-19": [0, 0, 1],
        "2026-10-26": [2, 0, 0],
    }
    t = data["tables"]["screenings_by_period"]
    assert t["columns"] == ["completed", "consent_declined", "draft"]
    assert (t["column_totals"], t["total"]) == ([7, 1, 1], 9)
    assert cells(data, "screenings_by_questionnaire") == {"departure": [5, 1, 1],
                                                          "returnee": [2, 0, 0]}
    assert cells(data, "screenings_by_period_and_script") == {
        # departure, returnee
        "2026-10-01": [2, 0], "2026-10-05": [2, 1], "2026-10-12": [1, 0],
        "2026-10-19": [1, 0], "2026-10-26": [1, 1]}
    assert cells(data, "previous_screenings") == {"departure": [2, 0, 0], "returnee": [0, 0, 0]}


def test_results_levels_children_and_coverage_warnings(db: Path) -> None:
    data = report(db, *OCTOBER)
    assert cells(data, "results_by_period") == {
        # high, medium, low
        "2026-10-01": [1, 1, 0], "2026-10-05": [0, 0, 3], "2026-10-12": [0, 0, 0],
        "2026-10-19": [0, 0, 0], "2026-10-26": [0, 1, 1]}
    assert cells(data, "results_by_age") == {"child": [0, 1, 0], "adult": [1, 1, 4]}
    assert cells(data, "results_by_coverage") == {"warning": [0, 0, 1],
                                                  "no_warning": [1, 2, 3]}
    assert cells(data, "previous_results") == {"child": [0, 0, 1], "adult": [1, 0, 0]}
    summary = {s["id"]: (s["current"], s["previous"], s["change"]) for s in data["summary"]}
    assert summary == {
        "screenings": (9, 2, 7), "completed": (7, 2, 5), "consent_declined": (1, 0, 1),
        "draft": (1, 0, 1), "high": (1, 1, 0), "medium": (2, 0, 2), "low": (4, 1, 3),
        "children": (1, 1, 0), "low_coverage_warning": (1, None, None)}
    assert "departure_risk_by_period" not in data["tables"]
    assert {p["part"] for p in data["not_recorded"]} == {"departure_risk"}  # referrals: schema 4


def test_departure_risk_and_red_flags_once_results_carry_them(tmp_path: Path) -> None:
    with Store(tmp_path / "r.db") as s:
        add(s, "2026-10-02T10:00:00.000000Z", result=assessment(
            "low", risk=("high", ["tourist_visa_for_work", "sponsor_paid"]),
            alerts=("scam_compounds", "thailand_transit")), answers={
                "destination_country": "Bangkok, then Myawaddy"})
        add(s, "2026-10-09T10:00:00.000000Z", result=assessment(
            "medium", risk=("medium", ["sponsor_paid"]), alerts=("scam_compounds",)))
        add(s, "2026-10-09T11:00:00.000000Z", q="returnee", result=assessment("low"))
    data = report(tmp_path / "r.db", *OCTOBER)
    assert cells(data, "departure_risk_by_period")["2026-10-01"] == [1, 0, 0, 0]
    assert cells(data, "departure_risk_by_period")["2026-10-05"] == [0, 1, 0, 1]
    assert data["tables"]["departure_risk_by_period"]["columns"][-1] == "not_assessed"
    assert cells(data, "red_flags") == {"sponsor_paid": [2], "tourist_visa_for_work": [1]}
    assert data["tables"]["red_flags"]["rows"] == ["sponsor_paid", "tourist_visa_for_work"]
    # high, medium, low identification level; the typed destination itself never appears
    assert cells(data, "destination_alerts") == {"scam_compounds": [0, 1, 1],
                                                 "thailand_transit": [0, 0, 1]}
    assert "Myawaddy" not in json.dumps(data)
    result = runner.invoke(app, ["report", "--db", str(tmp_path / "r.db"), *OCTOBER])
    assert "Departure risk: high 1 · medium 1 · low 0 · not assessed 1" in result.stdout
    assert "  sponsor_paid: 2\n" in result.stdout
    assert {p["part"] for p in data["not_recorded"]} == set()  # referrals: schema 4


def test_dimensions_and_indicators_of_medium_and_high_results(db: Path) -> None:
    data = report(db, *OCTOBER)
    # high, medium; the low results' dimensions are not positive
    assert cells(data, "dimensions") == {"coercion_destination": [1, 1],
                                         "deceptive_recruitment": [1, 0],
                                         "exploitation": [0, 1]}
    t = data["tables"]["indicators"]
    assert t["rows"][0] == "coercion_destination.confiscation_of_documents"  # most often
    assert cells(data, "indicators") == {
        "coercion_destination.confiscation_of_documents": [1, 1],
        "coercion_destination.isolation": [0, 1],
        "deceptive_recruitment.nature_of_job": [1, 0],
        "deceptive_recruitment.wages": [1, 0],
        "exploitation.excessive_hours": [0, 1]}
    assert t["row_labels"]["coercion_destination.isolation"]["en"]  # from the content


def test_journeys_count_option_keys_of_medium_and_high_results_only(db: Path) -> None:
    data = report(db, *OCTOBER)
    purpose = cells(data, "journey.departure.purpose")
    assert purpose["work"] == [1, 1]  # high, medium; the low "unknown" is not counted
    assert purpose["unknown"] == [0, 0] and purpose["tourism"] == [0, 0]
    assert cells(data, "journey.departure.who_arranged")["sponsor_individual"] == [1, 0]
    assert cells(data, "journey.departure.who_arranged")["family"] == [0, 1]
    assert cells(data, "journey.returnee.recruiter")["sponsor"] == [0, 1]
    assert cells(data, "journey.returnee.recruiter")["p3mi"] == [0, 0]  # a low result
    assert cells(data, "journey.returnee.departure_route")["unknown"] == [0, 1]
    left = {(x["questionnaire"], x["question"]): x["why"] for x in data["left_out"]}
    assert left == {("departure", "destination_country"): "free text",
                    ("returnee", "country"): "free text"}
    assert "journey.departure.destination_country" not in data["tables"]


def test_data_quality_and_content_versions(db: Path) -> None:
    data = report(db, *OCTOBER)
    quality = cells(data, "questions")
    assert data["tables"]["questions"]["columns"] == ["answered", "unknown", "declined",
                                                      "changed"]
    # purpose: 3 finished answers and one in the draft; one unknown; changed twice (:back)
    assert quality["departure/purpose"] == [4, 1, 0, 2]
    assert quality["departure/who_arranged"] == [3, 0, 1, 0]
    assert quality["returnee/recruiter"] == [2, 0, 0, 1]
    assert quality["returnee/departure_route"] == [2, 2, 0, 0]
    versions = cells(data, "content_versions")
    cat = load_catalogue(None)
    dep = f"departure {cat.questionnaires['departure'].version} " \
          f"({cat.content_hash('departure')[:8]})"
    assert versions[dep] == [7]
    assert sum(v[0] for v in versions.values()) == 9


def test_officer_activity_is_counts_by_name_never_a_ranking(db: Path) -> None:
    data = report(db, *OCTOBER)
    assert cells(data, "officers") == {"Petugas A": [4, 1, 1], "Petugas B": [2, 0, 0],
                                       "Petugas C": [1, 0, 0]}
    assert data["tables"]["officers"]["rows"] == ["Petugas A", "Petugas B", "Petugas C"]
    shared = report(db, *OCTOBER, "--share")
    assert "officers" not in shared["tables"] and "Petugas" not in json.dumps(shared)
    assert {"part": "officers", "why": "staff names stay in the office"} in shared["left_out"]


def test_filters_by_script_and_office(db: Path) -> None:
    data = report(db, *OCTOBER, "--questionnaire", "returnee")
    assert data["tables"]["screenings_by_period"]["total"] == 2
    assert data["filters"] == {"questionnaire": "returnee", "office": None}
    assert not any(t.startswith("journey.departure") for t in data["tables"])
    data = report(db, *OCTOBER, "--office", "Kanim Mukomuko")
    assert data["tables"]["screenings_by_period"]["total"] == 1
    assert cells(data, "officers") == {"Petugas C": [1, 0, 0]}
    data = report(db, *OCTOBER, "--office", "Kanim Bengkulu")
    assert data["tables"]["screenings_by_period"]["total"] == 8


def test_no_identifying_answer_or_free_text_in_any_format(db: Path, tmp_path: Path) -> None:
    outputs = []
    for fmt in ("json", "table", "html"):
        result = runner.invoke(app, ["report", "--db", str(db), *OCTOBER, "-f", fmt])
        assert result.exit_code == 0, result.output
        outputs.append(result.stdout)
    for text in outputs:
        for secret in SECRETS:
            assert secret not in text


def test_default_period_is_the_last_full_month() -> None:
    from datetime import date

    assert resolve_period(None, None, date(2026, 11, 29)) == Period(date(2026, 10, 1),
                                                                   date(2026, 10, 31))
    assert resolve_period(None, None, date(2026, 1, 1)) == Period(date(2025, 12, 1),
                                                                 date(2025, 12, 31))
    period = Period(date(2026, 1, 1), date(2026, 3, 31))
    assert period.previous() == Period(date(2025, 10, 1), date(2025, 12, 31))
    assert period.bucket == "week" and Period(date(2025, 1, 1), date(2025, 12, 31)).bucket \
        == "month"
    assert Period(date(2026, 10, 10), date(2026, 10, 19)).previous() == Period(
        date(2026, 9, 30), date(2026, 10, 9))


# -- sharing: small counts and their complements -------------------------------------------------


def _lines_leak(data: dict[str, Any]) -> list[str]:
    """Every row or column (with its total) of an additive table where exactly one count is
    hidden: that one could be worked out by subtraction."""
    leaks = []
    for name, t in data["tables"].items():
        if not t["additive"] or not t["columns_are"]:
            continue
        grid = [[*row, total] for row, total in zip(t["cells"], t["row_totals"], strict=True)]
        grid.append([*t["column_totals"], t["total"]])
        lines = grid + [list(col) for col in zip(*grid, strict=True)]
        for line in lines:
            if sum(1 for v in line if not isinstance(v, int)) == 1:
                leaks.append(f"{name}: {line}")
    return leaks


def test_share_hides_every_count_under_five_and_what_would_give_it_back(db: Path) -> None:
    data = report(db, *OCTOBER, "--share")
    assert data["share"] is True
    found = []
    for name, t in data["tables"].items():
        values = [v for row in t["cells"] for v in row]
        values += t.get("row_totals", []) + t.get("column_totals", []) + [t.get("total")]
        found += [(name, v) for v in values if isinstance(v, int) and 0 < v < 5]
    found += [(s["id"], s[k]) for s in data["summary"] for k in ("current", "previous")
              if isinstance(s[k], int) and 0 < s[k] < 5]
    assert found == []
    assert _lines_leak(data) == []
    assert cells(data, "screenings_by_period")["2026-10-12"] == [0, "<5", 0]
    assert data["tables"]["screenings_by_period"]["total"] == 9  # five or more: shown
    summary = {s["id"]: s for s in data["summary"]}
    assert summary["screenings"]["current"] == 9 and summary["screenings"]["change"] is None
    assert {"table": "screenings_by_period", "row": "2026-10-12",
            "column": "consent_declined", "reason": "small"} in data["suppressed"]


def test_share_on_a_case_built_to_need_complementary_suppression(tmp_path: Path) -> None:
    # Week of 5 Oct: 12 completed and 2 consent declined; week of 12 Oct: 10 completed.
    # Hiding the 2 alone would leave it as 14 - 12; the 12 must go too, then the 10 (the
    # completed column gives the 12 back), then what would give the 10 back, and so on.
    with Store(tmp_path / "r.db") as s:
        for day in range(12):
            add(s, f"2026-10-{5 + day % 5:02d}T09:{day:02d}:00.000000Z",
                result=assessment("low"))
        for minute in range(2):
            add(s, f"2026-10-06T10:{minute:02d}:00.000000Z", outcome="consent_declined")
        for day in range(10):
            add(s, f"2026-10-{12 + day % 5:02d}T09:{day:02d}:00.000000Z",
                result=assessment("low"))
    data = report(tmp_path / "r.db", *OCTOBER, "--share")
    t = data["tables"]["screenings_by_period"]
    grid = cells(data, "screenings_by_period")
    assert grid["2026-10-05"] == [None, "<5", 0]  # 12 hidden to protect the 2
    assert grid["2026-10-12"] == [None, 0, 0]  # 10 hidden: the column gives back the 12
    assert t["column_totals"] == [None, "<5", 0]  # 22: with 24 it gives back the 2
    assert t["total"] == 24
    assert _lines_leak(data) == []
    reasons = {(c["table"], c["row"], c["column"]): c["reason"] for c in data["suppressed"]}
    assert reasons[("screenings_by_period", "2026-10-05", "consent_declined")] == "small"
    assert reasons[("screenings_by_period", "2026-10-05", "completed")] == "complementary"
    assert reasons[("screenings_by_period", "2026-10-12", "completed")] == "complementary"
    # the same populations in the script table are hidden alike
    assert cells(data, "screenings_by_questionnaire")["departure"] == [None, "<5", 0]
    # and without --share, every count is there
    plain = report(tmp_path / "r.db", *OCTOBER)
    assert cells(plain, "screenings_by_period")["2026-10-05"] == [12, 2, 0]
    assert plain["suppressed"] == []


def test_suppress_hides_a_second_cell_in_every_line_with_one_hidden() -> None:
    table = Table("t", "s", "row", "col", ["a", "b", "c"], ["x", "y"],
                  [[20, 3], [15, 9], [30, 11]])
    suppress([table])
    shown = table.as_json()
    # the 3; the 20 beside it; the 15 under the 20 (column x); the 9 beside the 15 (row b)
    assert shown["cells"] == [[None, "<5"], [None, None], [30, 11]]
    data = {"tables": {"t": shown}}
    assert _lines_leak(data) == []
    assert shown["total"] == 88


# -- the terminal and the HTML -------------------------------------------------------------------


def test_terminal_summary_in_both_languages(db: Path) -> None:
    result = runner.invoke(app, ["report", "--db", str(db), *OCTOBER, "--ui", "en"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Screening report" in out and "2026-10-01 to 2026-10-31" in out
    assert re.search(r"Screenings\s+9\s+2\s+▲ \+7", out), out
    assert re.search(r"high results\s+1\s+1\s+= 0", out), out
    assert "Screenings per week by outcome" in out
    result = runner.invoke(app, ["report", "--db", str(db), *OCTOBER, "--ui", "id"])
    assert "Laporan penyaringan" in result.stdout
    assert re.search(r"Penyaringan\s+9\s+2\s+▲ \+7", result.stdout), result.stdout
    from test_catalogue import english_on

    # question ids (departure/purpose) are shown as the content editors write them
    assert english_on(re.sub(r"\b\w+/\w+\b", "", result.stdout)) == []


class _Page(HTMLParser):
    """The report's tables (by data-table: row key -> cell texts), charts and any reference
    to another resource."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, dict[str, list[str]]] = {}
        self.charts: dict[str, int] = {}
        self.external: list[str] = []
        self._table: str | None = None
        self._row: str | None = None
        self._cell: list[str] | None = None
        self._chart: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for name in ("src", "href", "xlink:href", "action"):
            value = a.get(name)
            if value is not None and not value.startswith("#"):
                self.external.append(f"{tag} {name}={value}")
        if tag in ("script", "link", "img", "iframe", "object", "embed"):
            self.external.append(tag)
        if tag == "table" and a.get("data-table"):
            self._table = a["data-table"]
            self.tables[self._table] = {}
        elif tag == "tr" and self._table is not None:
            self._row = a.get("data-row") or ""
            self.tables[self._table][self._row] = []
        elif tag == "td" and self._row is not None:
            self._cell = []
        elif tag == "figure" and a.get("data-chart"):
            self._chart = a["data-chart"]
        elif tag == "svg" and self._chart is not None:
            self.charts[self._chart] = self.charts.get(self._chart, 0) + 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None and self._table and self._row is not None:
            self.tables[self._table][self._row].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._table = self._row = None
        elif tag == "figure":
            self._chart = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _shown(value: Any) -> str:
    return "x" if value is None else f"{value:,}" if isinstance(value, int) else str(value)


@pytest.mark.parametrize("share", [False, True])
def test_html_tables_match_the_json_and_every_chart_is_drawn(db: Path, tmp_path: Path,
                                                             share: bool) -> None:
    flags = ["--share"] if share else []
    with Store(db) as s:
        first = next(r["id"] for r in s.list_records() if r["started_at"] >= "2026-10")
    refer(db, first, "F1", "uptd_ppa", [("proposed", "10-28"), ("received", "10-30")])
    data = report(db, *OCTOBER, *flags)
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["report", "--db", str(db), *OCTOBER, *flags, "-f", "html",
                                 "-o", str(out), "--ui", "id"])
    assert result.exit_code == 0, result.output
    text = out.read_text("utf-8")
    assert text.startswith("<!DOCTYPE html>") and '<html lang="id">' in text
    assert "http" not in text  # not even an XML namespace address
    page = _Page()
    page.feed(text)
    assert page.external == []
    for name, t in data["tables"].items():
        rows = page.tables[name]
        for row, values in zip(t["rows"], t["cells"], strict=True):
            expected = [_shown(v) for v in values]
            if t["additive"] and t["columns_are"]:
                expected.append(_shown(t["row_totals"][t["rows"].index(row)]))
            assert rows[row] == expected, (name, row)
        if t["additive"]:
            totals = [_shown(v) for v in t["column_totals"]]
            if t["columns_are"]:
                totals.append(_shown(t["total"]))
            assert rows[""] == totals, name
    medians = page.tables["referral_days"]
    for m in data["referral_days_to_received"]:
        assert medians[m["service"] or ""][1] == _shown(m["referrals"])
    headline = page.tables["summary"]
    for item in data["summary"]:
        assert headline[item["id"]][0] == _shown(item["current"])
    # a chart (an inline SVG) for every table but the previous period's and the officers'
    charted = set(data["tables"]) - {"previous_screenings", "previous_results", "officers"}
    assert set(page.charts) == charted
    assert all(n == 1 for n in page.charts.values())
    assert "@page { size: A4" in text and "break-before: page" in text
    assert ("Untuk dibagikan" in text) is share


def test_html_of_an_empty_period_and_the_empty_json(db: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", "--db", str(db), "--since", "2020-01-01",
                                 "--until", "2020-01-31", "-f", "json"])
    assert result.exit_code == 0
    assert "No screenings between 2020-01-01 and 2020-01-31" in result.stderr
    data = json.loads(result.stdout)
    assert data["empty"] is True
    assert data["tables"]["screenings_by_period"]["total"] == 0
    assert data["summary"][0] == {"id": "screenings", "current": 0, "previous": 0, "change": 0}
    result = runner.invoke(app, ["report", "--db", str(db), "--since", "2020-01-01",
                                 "--until", "2020-01-31"])
    assert result.exit_code == 0 and "No screenings between" in result.stderr
    assert result.stdout == ""
    out = tmp_path / "empty.html"
    result = runner.invoke(app, ["report", "--db", str(db), "--since", "2020-01-01",
                                 "--until", "2020-01-31", "-f", "html", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "No screenings between" in out.read_text("utf-8")


# -- bad input ----------------------------------------------------------------------------------


def _fails(db: Path, *args: str, code: int = 1) -> str:
    result = runner.invoke(app, ["report", "--db", str(db), *args])
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return " ".join(result.output.split())


def test_bad_input_gets_one_clear_message(db: Path, tmp_path: Path) -> None:
    assert "2026-10-31 is after --until 2026-10-01" in _fails(
        db, "--since", "2026-10-31", "--until", "2026-10-01")
    assert "is not a date" in _fails(db, "--since", "31/10/2026", code=2)
    assert "outside the years" in _fails(db, "--until", "9999-12-31", code=2)
    assert "There is no script 'departur'" in _fails(db, "-q", "departur")
    assert "did you mean 'departure'" in _fails(db, "-q", "departur")
    assert "No record was taken at an office 'Kanim Bengkul'" in _fails(
        db, "--office", "Kanim Bengkul")
    assert "does not exist" in _fails(db, "-o", str(tmp_path / "no" / "such" / "r.json"))
    assert "it is the records database" in _fails(db, "-f", "json", "-o", str(db))
    taken = tmp_path / "taken.json"
    taken.write_text("keep me", "utf-8")
    assert "already exists" in _fails(db, "-f", "json", "-o", str(taken))
    assert taken.read_text("utf-8") == "keep me"
    assert "There is no records database" in _fails(tmp_path / "missing.db")
    assert not (tmp_path / "missing.db").exists()
    assert _fails(db, "--format", "pdf", code=2)
    # the central database answers too (test_central_report.py); one it cannot reach is one
    # message, without its password
    unreachable = runner.invoke(app, ["report", "--db",
                                      "postgresql://office:Rahasia-1@central.invalid/screening"])
    assert unreachable.exit_code == 1 and "Traceback" not in unreachable.output
    assert "cannot be reached" in " ".join(unreachable.output.split())
    assert "Rahasia-1" not in unreachable.output
    # --force replaces; '-' is stdout
    result = runner.invoke(app, ["report", "--db", str(db), "-f", "json", "-o", str(taken),
                                 "--force", *OCTOBER])
    assert result.exit_code == 0 and json.loads(taken.read_text("utf-8"))["report"]
    result = runner.invoke(app, ["report", "--db", str(db), "-f", "json", "-o", "-", *OCTOBER])
    assert json.loads(result.stdout)["report"] == "screening"


def test_html_without_matplotlib_says_how_to_install(db: Path, tmp_path: Path) -> None:
    # A python that cannot import matplotlib, as on a counter laptop installed without the
    # extra.
    code = (
        "import sys\n"
        "sys.modules['matplotlib'] = None  # import matplotlib now raises ImportError\n"
        "from screening.cli.main import main\n"
        f"sys.argv = ['screening', 'report', '--db', {str(db)!r}, '-f', 'html', '-o', "
        f"{str(tmp_path / 'r.html')!r}]\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 1, done.stderr
    assert "pip install 'screening[report]'" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "r.html").exists()


def test_a_report_reads_one_consistent_snapshot_while_an_interview_writes(db: Path) -> None:
    from screening.report.figures import build_report

    with Store(db) as reader, Store(db) as writer:
        period = Period(*(__import__("datetime").date.fromisoformat(d)
                          for d in ("2026-10-01", "2026-10-31")))
        with reader.consistent_read():
            before = reader.aggregate("SELECT COUNT(*) FROM records", [])
            add(writer, "2026-10-15T09:00:00.000000Z", result=assessment("high"))
            after = reader.aggregate("SELECT COUNT(*) FROM records", [])
        assert before == after  # the write is not seen inside the read
        data = build_report(reader, period).as_json()
        assert data["tables"]["screenings_by_period"]["total"] == 10  # seen afterwards


# -- referrals -----------------------------------------------------------------------------------

REFERRAL_TABLES = (
    # the columns a referral row must have (screening.records schema 4), for a database
    # made before referrals existed in this checkout
    """CREATE TABLE IF NOT EXISTS referrals (id TEXT PRIMARY KEY, record_id TEXT NOT NULL,
        service_id TEXT NOT NULL, service_json TEXT NOT NULL, status TEXT NOT NULL,
        outcome TEXT, consent TEXT NOT NULL, consent_by TEXT, override_reason TEXT,
        information_only INTEGER NOT NULL, reason TEXT, officer TEXT NOT NULL,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, closed_at TEXT, erased_at TEXT,
        trail_key TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS referral_steps (id INTEGER PRIMARY KEY AUTOINCREMENT,
        referral_id TEXT NOT NULL, status TEXT NOT NULL, outcome TEXT, note TEXT,
        officer TEXT NOT NULL, at TEXT NOT NULL)""",
)


def refer(db: Path, record_id: str, ref_id: str, service: str, steps: list[tuple[str, str]]
          ) -> None:
    """A referral and its status trail, written as rows: (status, day in 2026) per step."""
    import sqlite3

    con = sqlite3.connect(db)
    for ddl in REFERRAL_TABLES:
        con.execute(ddl)
    stamp = [f"2026-{day}T10:00:00.000000Z" for _, day in steps]
    status = steps[-1][0]
    name = json.dumps({"en": f"Service {service}", "id": f"Layanan {service}"})
    con.execute(
        "INSERT INTO referrals (id, record_id, service_id, service_json, status, consent, "
        "information_only, officer, created_at, updated_at, closed_at, trail_key) "
        "VALUES (?, ?, ?, ?, ?, 'given', 0, 'Petugas A', ?, ?, ?, 'k')",
        [ref_id, record_id, service, json.dumps({"name": json.loads(name)}), status,
         stamp[0], stamp[-1], stamp[-1] if status == "closed" else None])
    for (step, _), at in zip(steps, stamp, strict=True):
        con.execute("INSERT INTO referral_steps (referral_id, status, officer, at) "
                    "VALUES (?, ?, 'Petugas A', ?)", [ref_id, step, at])
    con.commit()
    con.close()


def test_referrals_made_reached_overdue_and_the_median_days_to_received(db: Path) -> None:
    # the database keeps referral records (schema 4): none made yet is zero, not unknown
    assert "referrals" not in {p["part"] for p in report(db, *OCTOBER)["not_recorded"]}
    with Store(db) as s:
        ids = {r["started_at"][:10]: r["id"] for r in s.list_records()}
    refer(db, ids["2026-10-01"], "F1", "uptd_ppa", [
        ("proposed", "10-01"), ("sent", "10-01"), ("received", "10-03"), ("accepted", "10-05")])
    refer(db, ids["2026-10-27"], "F2", "uptd_ppa", [("proposed", "10-27"), ("sent", "10-27")])
    refer(db, ids["2026-10-02"], "F3", "bp3mi", [
        ("proposed", "10-02"), ("sent", "10-02"), ("received", "10-12"), ("closed", "10-20")])
    refer(db, ids["2026-09-15"], "F4", "bp3mi", [("proposed", "09-20")])  # before the period
    data = report(db, *OCTOBER)
    assert "referrals" not in {p["part"] for p in data["not_recorded"]}
    t = data["tables"]["referrals_by_status"]
    assert t["columns"] == ["proposed", "sent", "received", "accepted", "declined",
                            "services_started", "closed"]
    assert cells(data, "referrals_by_status") == {"bp3mi": [0, 0, 0, 0, 0, 0, 1],
                                                  "uptd_ppa": [0, 1, 0, 1, 0, 0, 0]}
    assert t["total"] == 3
    assert t["row_labels"]["uptd_ppa"] == {"en": "Service uptd_ppa", "id": "Layanan uptd_ppa"}
    # sent, received, accepted, closed (ever reached), overdue now (more than 7 days without
    # a step: F1 accepted on 5 Oct, F2 sent on 27 Oct; F3 is closed)
    assert data["tables"]["referral_milestones"]["columns"] == ["sent", "received", "accepted",
                                                                "closed", "overdue"]
    assert cells(data, "referral_milestones") == {"bp3mi": [1, 1, 0, 1, 0],
                                                  "uptd_ppa": [2, 1, 1, 0, 2]}
    assert data["referral_days_to_received"] == [
        {"service": None, "median_days": 6.0, "referrals": 2},
        {"service": "bp3mi", "median_days": 10.0, "referrals": 1},
        {"service": "uptd_ppa", "median_days": 2.0, "referrals": 1}]
    shared = report(db, *OCTOBER, "--share")
    assert shared["referral_days_to_received"][0] == {"service": None, "median_days": None,
                                                      "referrals": "<5"}
    assert cells(shared, "referrals_by_status")["uptd_ppa"][1] == "<5"
    assert _lines_leak(shared) == []
    result = runner.invoke(app, ["report", "--db", str(db), *OCTOBER, "--ui", "en"])
    assert re.search(r"Referrals: 3 · received 2 · overdue 2 · median days 6", result.stdout), \
        result.stdout
