"""The tool's own words: one catalogue, every key in both languages, and no English word of
the tool's on an Indonesian officer's screen.

The list of English-only strings is read from the catalogue itself, so a new message is
covered the moment it is added.
"""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import pytest
from typer.testing import CliRunner

from screening.cli._messages import MESSAGES, UI_LANGUAGES
from screening.cli.main import app
from screening.records.store import Store

runner = CliRunner()


def test_every_key_has_every_language_with_the_same_placeholders() -> None:
    fields = string.Formatter()
    for key, entry in MESSAGES.items():
        assert set(entry) == set(UI_LANGUAGES), f"{key}: {sorted(entry)}"
        names = {lang: {f for _, f, _, _ in fields.parse(text) if f} for lang, text in
                 entry.items()}
        assert names["en"] == names["id"], f"{key}: placeholders differ {names}"
        assert all(text.strip() for text in entry.values()), key


def english_only() -> list[tuple[str, re.Pattern[str]]]:
    """(key, pattern) for each English fragment of the catalogue that no Indonesian message
    contains: a fragment is the text between placeholders, of at least four letters."""
    indonesian = " ".join(entry["id"] for entry in MESSAGES.values()).casefold()
    found: dict[str, tuple[str, re.Pattern[str]]] = {}
    for key, entry in MESSAGES.items():
        if entry["en"] == entry["id"]:
            continue
        for piece in re.split(r"\{[^}]*\}", entry["en"]):
            for part in re.split(r"[\n:;()\[\]\"'.,?]+", piece):
                fragment = part.strip(" -=→")
                if sum(c.isalpha() for c in fragment) < 4:
                    continue
                if fragment.casefold() in indonesian:
                    continue  # words the two languages share (status, :back, SD ...)
                pattern = re.compile(r"(?<![\w-])" + re.escape(fragment) + r"(?![\w-])", re.I)
                found.setdefault(fragment.casefold(), (key, pattern))
    return sorted(found.values(), key=lambda kp: kp[1].pattern)


def english_on(screen: str) -> list[str]:
    return [f"{key}: {m.group(0)!r} in …{screen[max(m.start() - 40, 0):m.end() + 40]!r}…"
            for key, pattern in english_only() if (m := pattern.search(screen))]


def test_the_english_list_is_not_empty_and_catches_a_leak() -> None:
    assert len(english_only()) > 100
    assert english_on("Tingkat: HIGH") and english_on("Profil: adult, labour")
    assert english_on("Unsur Palermo: proses ya  cara tidak") == []


# --- every command, an Indonesian officer ----------------------------------------------------

FORM = """\
officer: Petugas Uji
location: Loket 2
language: id
answers:
  consent: yes
  age: 16
  job_offer: yes
  job_type: domestic
  passport_held: yes
  danger: no
  name: Nama Uji
"""


@pytest.fixture
def env(tmp_path: Path, mini_content: Path) -> dict[str, str]:
    return {"SCREENING_DB": str(tmp_path / "records.db"), "SCREENING_CONTENT": str(mini_content)}


def run(env: dict[str, str], *args: str, input: str | None = None) -> str:
    result = runner.invoke(app, list(args), env=env, input=input)
    assert "Traceback" not in result.output, result.output
    return result.output


def test_every_command_speaks_indonesian_to_an_indonesian_officer(
    tmp_path: Path, env: dict[str, str]
) -> None:
    form = tmp_path / "form.yaml"
    form.write_text(FORM, encoding="utf-8")
    screens = {}
    # the guided interview: bad answers, commands, :review, :goto, an alert, the end
    screens["guided"] = run(
        env, "interview", "start", "mini", "--ui", "id", input="\n".join([
            "Petugas Uji", "Loket 2", "", "y", "", "tiga puluh", "30.5", ":review", ":help",
            ":goto 9", ":goto age", "16", ":frobnicate", ":note tampak lelah", ":lang en",
            ":lang id", "y", "x", "1", ":pause", "", "y", "y", "", ""]) + "\n")
    assert "Wawancara selesai" in screens["guided"]
    # from here on nothing says --ui: the remembered language is used
    screens["paper"] = run(env, "interview", "start", "mini", "--answers", str(form))
    screens["interrupted"] = run(env, "interview", "start", "mini", "--officer", "Petugas Uji",
                                 "--location", "Loket 2", "--lang", "id", input="y\n")
    screens["quit"] = run(env, "interview", "start", "mini", "--officer", "Petugas Uji",
                          "--location", "Loket 2", "--lang", "id", input="y\n:quit\n")
    screens["before"] = run(env, "interview", "start", "mini", input="")
    drafts = json.loads(runner.invoke(app, ["interview", "drafts", "--format", "json"],
                                      env=env).stdout)
    screens["resume"] = run(env, "interview", "resume", drafts[0]["id"],
                            input="30\nn\nn\nn\n\n")
    screens["drafts"] = run(env, "interview", "drafts")
    listed = runner.invoke(app, ["records", "list", "--format", "json"], env=env).stdout
    record_id = json.loads(listed)[-1]["id"]  # the guided interview: the oldest
    screens["list"] = run(env, "records", "list")
    screens["show"] = run(env, "records", "show", record_id)
    screens["rescore"] = run(env, "records", "rescore", record_id)
    screens["score"] = run(env, "score", "--questionnaire", "mini", "--answers", str(form))
    screens["score_low"] = run(env, "score", "--set", "mini", "--profile", "adult-labour",
                               "--unknown", "exploitation.excessive_hours")
    screens["preview"] = run(env, "questionnaires", "preview", "mini", "--lang", "id")
    leaks = {name: english_on(screen) for name, screen in screens.items()}
    assert {name: found for name, found in leaks.items() if found} == {}


def test_machine_readable_output_keeps_english_keys(tmp_path: Path, env: dict[str, str]) -> None:
    form = tmp_path / "form.yaml"
    form.write_text(FORM, encoding="utf-8")
    run(env, "interview", "start", "mini", "--answers", str(form), "--ui", "id")
    [row] = json.loads(runner.invoke(app, ["records", "list", "--format", "json"],
                                     env=env).stdout)
    assert (row["status"], row["level"]) == ("completed", "medium")
    csv = runner.invoke(app, ["records", "list", "--format", "csv"], env=env).stdout
    assert csv.splitlines()[0].startswith("id,status,questionnaire,level")
    assert ",completed," in csv


# Ways through the bundled departure script, typed as an officer would: two worked cases
# of the validation set, a child who answers yes to everything (the child lists, alerts, many
# indicators) and a person who does not know (poor coverage, its warning).
WALKS = {
    "child-says-yes": {"yes_no": "y", "choice": "1", "multi_choice": "1", "number": "16",
                       "text": "Teks uji", "date": "31/12/2009"},
    "does-not-know": {"yes_no": "?", "choice": "?", "multi_choice": "?", "number": "?",
                      "text": "?", "date": "?"},
}
CASES = ["dep-10-child-16-calo-domestic-malaysia", "dep-17-tourist-cambodia-declines-most"]


def typed(value: object) -> str:
    """An answer of a worked case as the officer would type it."""
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    if value is True or value == "yes":
        return "y"
    if value is False or value == "no":
        return "n"
    return {"unknown": "?", "declined": "-"}.get(str(value), str(value))


@pytest.mark.parametrize("walk_by", [*CASES, *WALKS])
def test_a_whole_departure_interview_in_indonesian_has_no_english_of_the_tool(
    tmp_path: Path, walk_by: str
) -> None:
    from screening.content.catalogue import load_catalogue
    from screening.interview.answers_file import read_answers_file
    from screening.interview.engine import Interview, alert_for

    case = (read_answers_file(Path(__file__).parent / "cases" / f"{walk_by}.yaml").answers
            if walk_by in CASES else None)
    walk = Interview(load_catalogue().questionnaire("departure"))
    lines = ["Petugas Uji", "Loket 2", ""]  # Enter: the script's first language, id
    while (question := walk.next_question()) is not None:
        if case is not None:
            raw = typed(case.get(question.id, ""))
        else:
            raw = WALKS[walk_by][question.type]
            if question.role in ("consent", "consent_share"):
                raw = "y"
        value = walk.answer(question, raw)
        lines.append(raw)
        if alert_for(question, value):
            lines.append("")  # the safety panel is acknowledged
        if len(lines) == 12:
            lines[-1:-1] = [":review", ":goto 2", "", ":help"]
    env = {"SCREENING_DB": str(tmp_path / "r.db")}
    result = runner.invoke(app, ["interview", "start", "departure", "--ui", "id"],
                           input="\n".join(lines) + "\n", env=env)
    assert result.exit_code == 0, result.output[-3000:]
    assert "Wawancara selesai" in result.stderr and "Tingkat:" in result.stderr
    assert walk.answers  # the walk really went through the script
    # question ids name the questions for :goto; they are the content's identifiers
    screen = result.output
    for question in walk.questionnaire.questions():
        screen = re.sub(rf"(?<![\w-]){re.escape(question.id)}(?![\w-])", "", screen)
    leaks = english_on(screen)
    assert leaks == [], "\n".join(leaks)


def test_errors_at_the_counter_are_in_the_officers_language(
    tmp_path: Path, env: dict[str, str]
) -> None:
    form = tmp_path / "form.yaml"
    form.write_text("answers: {consent: yes, age: tiga puluh, job_offer: mungkin, "
                    "passport: yes}\n", encoding="utf-8")
    bad = runner.invoke(app, ["interview", "start", "mini", "--answers", str(form),
                              "--ui", "id"], env=env)
    assert bad.exit_code == 1
    assert "Galat: berkas jawaban bermasalah:" in bad.stderr
    assert "'tiga puluh' bukan angka" in bad.stderr
    assert "'mungkin' bukan ya atau tidak (ketik y atau n)" in bad.stderr
    assert "pertanyaan 'passport' tidak ada di mini (maksudnya 'passport_held'?)" in bad.stderr
    Store(Path(env["SCREENING_DB"])).close()  # a database without that record
    missing = runner.invoke(app, ["records", "show", "20261129-XXXXXX"], env=env)  # remembered?
    assert missing.exit_code == 1
    missing_id = runner.invoke(app, ["records", "show", "20261129-XXXXXX", "--ui", "id"],
                               env=env)
    assert "Galat: Tidak ada catatan '20261129-XXXXXX'" in missing_id.stderr
    # the next command without --ui speaks English again (nothing remembered here)
    assert "Error: There is no record" in runner.invoke(
        app, ["records", "show", "20261129-XXXXXX"], env=env).stderr
    leaks = [leak for name in ("bad", "missing_id") for leak in
             english_on({"bad": bad, "missing_id": missing_id}[name].stderr)]
    assert leaks == []
