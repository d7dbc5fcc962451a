"""The authoring commands (indicators, questionnaires, schema, content, validate) end to end."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from screening import __version__
from screening.cli.main import app
from screening.content.catalogue import bundled_root

runner = CliRunner()

PROFILES = ["adult-labour", "adult-sexual", "child-labour", "child-sexual"]
# domain.md section 3: dimension id -> Palermo elements, adult-labour count
DIMENSIONS = {
    "deceptive_recruitment": ("act+means", 10),
    "coercive_recruitment": ("act+means", 10),
    "vulnerability_recruitment": ("act+means", 16),
    "exploitation": ("purpose", 9),
    "coercion_destination": ("means", 15),
    "vulnerability_destination": ("means", 7),
}
QUESTION_TYPES = {"yes_no", "choice", "multi_choice", "text", "number", "date"}
CONSENT_ID = "Apakah Anda bersedia menjawab beberapa pertanyaan?"
CONSENT_EN = "Are you willing to answer some questions?"
WIDE = {"COLUMNS": "400"}  # rich wraps at 80 columns otherwise, splitting the strings we look for


def run(*args: str, env: dict[str, str] | None = None, code: int = 0):
    result = runner.invoke(app, list(args), env=env)
    assert result.exit_code == code, result.output
    # a user's mistake never escapes as an exception (CliRunner would report exit code 1)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def raw_yaml(relative: str) -> dict:
    """The bundled file read independently of the code under test."""
    return yaml.safe_load((bundled_root() / relative).read_text(encoding="utf-8"))


def init_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "office"
    run("content", "init", str(folder))
    return folder


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# --- indicators ------------------------------------------------------------------------------


def test_indicators_list_in_every_format() -> None:
    table = run("indicators", "list")
    assert "ilo-2009" in table.stdout and "Indicator sets" in table.stdout

    rows = json.loads(run("indicators", "list", "--format", "json").stdout)
    assert [r["id"] for r in rows] == ["ilo-2009"]
    assert rows[0]["version"] == "1.0"
    assert rows[0]["profiles"] == PROFILES
    assert rows[0]["indicators"] == len(raw_yaml("indicators/ilo-2009.yaml")["indicators"])

    parsed = list(csv.DictReader(io.StringIO(run("indicators", "list", "-f", "csv").stdout)))
    assert [r["id"] for r in parsed] == ["ilo-2009"]
    assert parsed[0]["profiles"] == ";".join(PROFILES)


@pytest.mark.parametrize("profile", PROFILES)
def test_indicators_show_json_contract(profile: str) -> None:
    document = json.loads(
        run("indicators", "show", "ilo-2009", "--profile", profile, "--format", "json").stdout
    )
    assert {"id", "version", "profile", "dimensions", "indicators"} <= set(document)
    assert (document["id"], document["version"], document["profile"]) == (
        "ilo-2009",
        "1.0",
        profile,
    )
    assert {d["id"]: d["element"] for d in document["dimensions"]} == {
        dim: element for dim, (element, _) in DIMENSIONS.items()
    }
    expected = {
        i["id"]: i["tiers"][profile]
        for i in raw_yaml("indicators/ilo-2009.yaml")["indicators"]
        if profile in i["tiers"]
    }
    for indicator in document["indicators"]:
        assert {"id", "dimension", "tier", "label"} <= set(indicator)
        assert {"en", "id"} <= set(indicator["label"])
        assert all(indicator["label"][lang].strip() for lang in ("en", "id"))
        assert indicator["dimension"] == indicator["id"].split(".")[0]
        assert indicator["dimension"] in DIMENSIONS
    assert {i["id"]: i["tier"] for i in document["indicators"]} == expected


def test_adult_labour_has_the_67_indicators_of_domain_md() -> None:
    document = json.loads(
        run("indicators", "show", "ilo-2009", "-p", "adult-labour", "-f", "json").stdout
    )
    assert len(document["indicators"]) == 67
    counts = Counter(i["dimension"] for i in document["indicators"])
    assert counts == {dim: n for dim, (_, n) in DIMENSIONS.items()}
    # an indicator absent from the list is omitted
    assert "exploitation.forced_into_commercial_sex" not in {
        i["id"] for i in document["indicators"]
    }


def test_tiers_differ_by_profile() -> None:
    def tier(profile: str) -> str:
        document = json.loads(
            run("indicators", "show", "ilo-2009", "-p", profile, "-f", "json").stdout
        )
        return {i["id"]: i["tier"] for i in document["indicators"]}[
            "deceptive_recruitment.education"
        ]

    assert tier("adult-labour") == "weak"
    assert tier("child-labour") == "strong"


def test_indicators_show_csv_parses() -> None:
    out = run("indicators", "show", "ilo-2009", "-p", "child-sexual", "-f", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == ["id", "dimension", "tier", "label"]
    assert len(rows) == 68
    assert {r["tier"] for r in rows} == {"strong", "medium", "weak"}
    assert all(r["label"] for r in rows)


def test_indicators_show_bad_profile_is_a_usage_error() -> None:
    result = run("indicators", "show", "ilo-2009", "--profile", "adult-labor", code=2)
    assert "'adult-labor' is not a profile" in result.stderr
    assert "adult-labour, adult-sexual, child-labour, child-sexual" in result.stderr
    assert "did you mean 'adult-labour'?" in result.stderr
    assert result.stdout == ""


def test_indicators_show_unknown_set() -> None:
    result = run("indicators", "show", "ilo2009", "-f", "json", code=1)
    assert "Error: no indicator set 'ilo2009' (did you mean 'ilo-2009'?)" in result.stderr
    assert result.stdout == ""


# --- coverage --------------------------------------------------------------------------------


def coverage(*args: str) -> tuple[dict, str]:
    result = run("indicators", "coverage", "--format", "json", *args)
    return json.loads(result.stdout), result.stderr


def test_coverage_of_the_bundled_scripts() -> None:
    both, talk = coverage()
    assert both["total"] == 67
    assert set(both["questionnaires"]) == {"departure", "returnee"}
    assert both["unreached"] == []
    assert "Every one of the 67 indicators is reachable." in talk

    returnee, _ = coverage("-q", "returnee")
    assert returnee["questionnaires"]["returnee"]["count"] == 67
    assert returnee["unreached"] == []

    departure, talk = coverage("-q", "departure")
    # at departure most destination facts are not yet knowable
    assert departure["unreached"]
    assert f"No questionnaire reaches {len(departure['unreached'])}" in talk


def test_a_removed_mapping_shows_up_as_unreached(tmp_path: Path) -> None:
    folder = init_copy(tmp_path)
    edit(
        folder / "questionnaires" / "returnee.yaml",
        '        indicators:\n          "yes": [exploitation.hazardous_work]\n',
        "",
    )
    run("validate", "--content", str(folder))
    document, talk = coverage("--content", str(folder))
    assert document["unreached"] == ["exploitation.hazardous_work"]
    assert "No questionnaire reaches 1: exploitation.hazardous_work" in talk


# --- questionnaires --------------------------------------------------------------------------


def test_questionnaires_list_in_every_format() -> None:
    table = run("questionnaires", "list")
    assert "departure" in table.stdout and "returnee" in table.stdout

    rows = json.loads(run("questionnaires", "list", "-f", "json").stdout)
    assert [r["id"] for r in rows] == ["departure", "followup", "returnee"]
    for row in rows:
        assert row["languages"] == ["id", "en"]
        assert row["indicator_set"] == "ilo-2009"

    parsed = list(csv.DictReader(io.StringIO(run("questionnaires", "list", "-f", "csv").stdout)))
    assert [r["id"] for r in parsed] == ["departure", "followup", "returnee"]
    assert parsed[0]["languages"] == "id;en"
    raw = raw_yaml("questionnaires/departure.yaml")
    assert int(parsed[0]["questions"]) == sum(len(s["questions"]) for s in raw["sections"])


def test_questionnaires_show_json_contract() -> None:
    document = json.loads(run("questionnaires", "show", "departure", "--format", "json").stdout)
    assert {"id", "version", "languages", "questions"} <= set(document)
    assert (document["id"], document["version"], document["languages"]) == (
        "departure",
        "1.0",
        ["id", "en"],
    )
    raw = raw_yaml("questionnaires/departure.yaml")
    asked = [q for s in raw["sections"] for q in s["questions"]]
    assert [q["id"] for q in document["questions"]] == [q["id"] for q in asked]
    for shown, written in zip(document["questions"], asked, strict=True):
        assert {"id", "type", "options", "required"} <= set(shown)
        assert shown["type"] in QUESTION_TYPES
        assert shown["type"] == written["type"]
        assert shown["required"] is written.get("required", True)
        assert [o["key"] for o in shown["options"]] == [
            o["key"] for o in written.get("options", [])
        ]
    types = Counter(q["type"] for q in document["questions"])
    assert types["yes_no"] and types["choice"]
    assert any(not q["required"] for q in document["questions"])


def test_questionnaires_show_unknown() -> None:
    result = run("questionnaires", "show", "departur", "-f", "json", code=1)
    assert "Error: no questionnaire 'departur' (did you mean 'departure'?)" in result.stderr
    assert result.stdout == ""


def panels(output: str) -> dict[str, str]:
    """The preview cut into question panels, by question id (the last word of the title)."""
    found: dict[str, str] = {}
    for chunk in output.split("╭")[1:]:
        title = chunk.splitlines()[0]
        qid = title.split("·")[-1].strip(" ─╮")
        found[qid] = chunk.split("╰")[0]
    return found


def test_preview_in_indonesian_marks_officer_only_items() -> None:
    result = run("questionnaires", "preview", "departure", "--lang", "id", env=WIDE)
    shown = panels(result.stdout)
    assert len(shown) == len(
        json.loads(run("questionnaires", "show", "departure", "-f", "json").stdout)["questions"]
    )
    assert "READ ALOUD:" in shown["consent"]
    assert CONSENT_ID in shown["consent"]
    assert CONSENT_EN not in shown["consent"]
    assert "OFFICER ONLY" not in shown["consent"]
    assert "OFFICER ONLY: do not read aloud" in shown["private_room"]
    assert "Setting checklist: The interview takes place in a private room" in shown["private_room"]
    assert "READ ALOUD" not in shown["private_room"]
    # the supervisor's details
    assert "yes → reveals:" in result.stdout


def test_preview_in_english_for_an_indonesian_officer() -> None:
    result = run("questionnaires", "preview", "departure", "--lang", "en", "--ui", "id", env=WIDE)
    shown = panels(result.stdout)
    assert "BACAKAN:" in shown["consent"]
    assert CONSENT_EN in shown["consent"]
    assert CONSENT_ID not in shown["consent"]
    assert "KHUSUS PETUGAS: jangan dibacakan" in shown["private_room"]
    assert "Daftar periksa tempat: Wawancara dilakukan di ruang tertutup" in shown["private_room"]


def test_preview_unknown_language_and_questionnaire() -> None:
    result = run("questionnaires", "preview", "departure", "--lang", "fr", code=1)
    assert "Error: 'departure' is not written in 'fr'; it has id, en" in result.stderr
    assert result.stdout == ""
    result = run("questionnaires", "preview", "returne", code=1)
    assert "did you mean 'returnee'?" in result.stderr


# --- schema ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "bundled"),
    [
        ("questionnaire", "questionnaires/departure.yaml"),
        ("indicator_set", "indicators/ilo-2009.yaml"),
        ("service_directory", "services/directory.yaml"),
    ],
)
def test_schema_is_json_schema_matching_the_bundled_files(kind: str, bundled: str) -> None:
    schema = json.loads(run("schema", kind).stdout)
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    document = raw_yaml(bundled)
    assert set(document) <= set(schema["properties"])
    assert set(schema["required"]) <= set(document)

    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(document, schema)


def test_schema_out_writes_every_file(tmp_path: Path) -> None:
    target = tmp_path / "[x] schemas"  # brackets are not rich markup here
    result = run("schema", "--out", str(target))
    assert sorted(p.name for p in target.iterdir()) == [
        "indicator_set.schema.json",
        "questionnaire.schema.json",
        "service_directory.schema.json",
    ]
    for name in ("questionnaire", "indicator_set", "service_directory"):
        written = json.loads((target / f"{name}.schema.json").read_text(encoding="utf-8"))
        assert written == json.loads(run("schema", name).stdout)
        assert f"wrote {target / f'{name}.schema.json'}" in result.stderr
    assert result.stdout == ""


def test_schema_unknown_kind() -> None:
    result = run("schema", "questionaire", code=1)
    assert "no schema 'questionaire'" in result.stderr
    assert "did you mean 'questionnaire'?" in result.stderr


# --- content init and SCREENING_CONTENT ------------------------------------------------------


def test_content_init_copies_everything_and_validates(tmp_path: Path) -> None:
    folder = tmp_path / "office"
    result = run("content", "init", str(folder))
    copied = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert copied == [
        "indicators/ilo-2009.yaml",
        "questionnaires/departure.yaml",
        "questionnaires/followup.yaml",
        "questionnaires/returnee.yaml",
        "services/directory.yaml",
    ]
    assert result.stdout.split() == [str(folder / name) for name in copied]
    for name in copied:
        assert (folder / name).read_bytes() == (bundled_root() / name).read_bytes()
    ok = run("validate", "--content", str(folder))
    assert "5 file(s): 0 error(s)" in ok.stderr


def test_content_init_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    folder = tmp_path / "office"
    mine = folder / "questionnaires" / "returnee.yaml"
    mine.parent.mkdir(parents=True)
    mine.write_text("# my own edits\n", encoding="utf-8")

    result = run("content", "init", str(folder), code=1)
    assert f"{mine} already exists; nothing was copied" in result.stderr
    assert "--force" in result.stderr
    assert sorted(p.name for p in folder.rglob("*")) == ["questionnaires", "returnee.yaml"]
    assert mine.read_text(encoding="utf-8") == "# my own edits\n"

    run("content", "init", str(folder), "--force")
    assert mine.read_bytes() == (bundled_root() / "questionnaires/returnee.yaml").read_bytes()
    assert (folder / "indicators" / "ilo-2009.yaml").is_file()


def test_content_init_twice(tmp_path: Path) -> None:
    folder = tmp_path / "[bold]office"
    first = run("content", "init", str(folder))
    assert f"SCREENING_CONTENT={folder} screening validate" in first.stderr
    result = run("content", "init", str(folder), code=1)
    assert "nothing was copied" in result.stderr
    run("content", "init", str(folder), "--force")


def test_screening_content_is_honoured(tmp_path: Path) -> None:
    folder = init_copy(tmp_path)
    edit(
        folder / "questionnaires" / "departure.yaml",
        'en: "Departure interview: screening for trafficking risk"',
        'en: "Our office: departure interview"',
    )
    rows = json.loads(
        run("questionnaires", "list", "-f", "json", env={"SCREENING_CONTENT": str(folder)}).stdout
    )
    assert rows[0]["title"] == "Our office: departure interview"
    bundled = json.loads(run("questionnaires", "list", "-f", "json").stdout)
    assert bundled[0]["title"] == "Departure interview: screening for trafficking risk"


# --- validate --------------------------------------------------------------------------------


def test_validate_explicit_files(tmp_path: Path) -> None:
    folder = init_copy(tmp_path)
    files = [folder / "indicators" / "ilo-2009.yaml", folder / "questionnaires" / "returnee.yaml"]
    result = run("validate", *map(str, files))
    assert "2 file(s): 0 error(s)" in result.stderr

    edit(files[1], "type: yes_no", "type: yesno")
    bad = run("validate", *map(str, files), "--format", "json", code=1)
    report = json.loads(bad.stdout)
    assert report["ok"] is False
    assert report["files"] == list(map(str, files))
    assert [e["path"] for e in report["errors"]] == [str(files[1])]
    assert "did you mean 'yes_no'?" in report["errors"][0]["message"]


def test_validate_reads_a_file_named_twice_once(tmp_path: Path) -> None:
    folder = init_copy(tmp_path)
    script = folder / "questionnaires" / "departure.yaml"
    result = run("validate", str(folder), str(script), str(folder / "indicators"))
    assert result.stdout == ""
    assert "5 file(s): 0 error(s)" in result.stderr


def test_validate_a_missing_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    result = run("validate", str(missing), code=1)
    assert result.stdout == f"{missing}: no such file or folder\n"
    assert "Failed: 0 file(s): 1 error(s)" in result.stderr


def test_validate_a_folder_without_yaml(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not content\n", encoding="utf-8")
    result = run("validate", str(tmp_path), code=1)
    assert result.stdout == f"{tmp_path}: no YAML files in this folder\n"


# --- start-up cost and version ---------------------------------------------------------------

PROBE = """\
import json, sys
from screening.cli.main import app
try:
    app({args!r}, prog_name="screening", standalone_mode=False)
except SystemExit:
    pass
print(json.dumps({{m: m in sys.modules for m in ("sqlite_utils", "pydantic")}}))
"""


def imported_by(args: list[str], cwd: Path) -> dict[str, bool]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_help_imports_neither_sqlite_utils_nor_pydantic(tmp_path: Path) -> None:
    assert imported_by(["--help"], tmp_path) == {"sqlite_utils": False, "pydantic": False}


def test_validate_does_not_import_sqlite_utils(tmp_path: Path) -> None:
    imported = imported_by(["validate"], tmp_path)
    assert imported["pydantic"] is True  # the probe really ran the validation
    assert imported["sqlite_utils"] is False


def test_version() -> None:
    result = run("--version")
    assert result.stdout == f"screening {__version__}\n"
