"""Issue 11: whatever scalar an answers file holds (huge numbers, surrogates, control characters,
YAML 1.1 number forms), the answer is a message or a stored record, never a traceback; and a
text answer that is stored is stored exactly as written."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import MINI_SCRIPT, MINI_SET, write_content
from screening.cli.main import app
from screening.errors import ScreeningError
from screening.interview.answers_file import checked_answers, read_answers_file

runner = CliRunner()
FOLDER = Path(tempfile.mkdtemp(prefix="answers-fuzz-"))
CONTENT = write_content(FOLDER / "content", {"indicators/mini.yaml": MINI_SET,
                                             "questionnaires/mini.yaml": MINI_SCRIPT})

YAML_11 = [
    "0215551234", "+6281234567890", "1:30", "190:20:30", "1_500", "0o17", "017", "0x1F",
    "0b101", "+12", "-0", ".inf", "-.Inf", ".NaN", "1e400", "1.5e3", "~", "null", "Null", "",
    "yes", "No", "on", "OFF", "y", "n", "true", "False", "2024-02-30", "2024-01-01",
    "2024-01-01 10:00:00", "2001-12-14t21:59:43.10-05:00", "12:30:00", "=", "<<", "!!int 12",
    "!!str 5", "!!binary aGVsbG8=", "!!python/object:os.system x", "&a 1", "*a",
]

plain = st.sampled_from(YAML_11)
huge = st.integers(min_value=-(10**600), max_value=10**600).map(str)
floats = st.floats(allow_nan=True, allow_infinity=True).map(repr)
# JSON string escapes are YAML double-quoted escapes: lone surrogates, NUL, ESC, C1 controls.
quoted = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF),
                 max_size=40).map(json.dumps)
controls = st.lists(st.sampled_from(["\\0", "\\e", "\\x85", "\\u2028", "\\ud800", "\\udfff",
                                     "\\x1b[2J", "\\t", "\\n", "a", "1"]),
                    min_size=1, max_size=6).map(lambda parts: '"' + "".join(parts) + '"')
flow = st.sampled_from(["{a: 1}", "[a, b]", "[]", "{}", "[[1]]", "[1, {x: y}]"])
scalar = st.one_of(plain, huge, floats, quoted, controls, flow)


def _form(question: str, value: str, officer: str) -> Path:
    path = FOLDER / "form.yaml"
    path.write_text(
        f"officer: {officer}\nlocation: {value}\nanswers:\n  consent: 'yes'\n  age: 30\n"
        f"  {question}: {value}\n",
        encoding="utf-8", errors="surrogatepass",
    )
    return path


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(question=st.sampled_from(["name", "age", "job_offer", "passport_held", "danger"]),
       value=scalar, officer=st.one_of(plain, controls, quoted))
def test_reading_and_checking_never_raises_anything_else(
    question: str, value: str, officer: str
) -> None:
    from screening.content.catalogue import load_catalogue

    questionnaire = load_catalogue(CONTENT).questionnaire("mini")
    path = _form(question, value, officer)
    try:
        filled = read_answers_file(path)
        checked = checked_answers(questionnaire, filled)
    except ScreeningError as exc:
        exc.message.encode("utf-8", "backslashreplace")  # printable
        return
    if question == "name" and checked.get("name") not in (None, "unknown", "declined"):
        # Stored as written: whatever YAML made of it, the scalar's own text.
        assert isinstance(checked["name"], str)
        checked["name"].encode("utf-8")  # valid Unicode, storable
        assert checked["name"] == str(filled.answers["name"]).strip()


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(question=st.sampled_from(["name", "age", "job_offer"]), value=scalar,
       officer=st.one_of(plain, controls))
def test_the_cli_answers_with_a_message_or_a_record(question: str, value: str,
                                                     officer: str) -> None:
    path = _form(question, value, officer)
    env = {"SCREENING_DB": str(FOLDER / "records.db"), "SCREENING_CONTENT": str(CONTENT)}
    for args in (["interview", "start", "mini"], ["score", "--questionnaire", "mini"]):
        result = runner.invoke(app, [*args, "--answers", str(path)], env=env)
        assert result.exit_code in (0, 1, 3), (result.output, result.exception)
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            repr(result.exception))
        assert "Traceback" not in result.output
