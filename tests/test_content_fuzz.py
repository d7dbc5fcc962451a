"""Whatever a supervisor's editor does to the YAML, the answer is a message, never a traceback."""

from __future__ import annotations

import functools
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import screening.content.catalogue
from screening.cli.main import app
from screening.content.catalogue import Catalogue, bundled_root, check
from screening.content.yaml_source import load_file, load_text

runner = CliRunner()

BUNDLED = {
    name: (bundled_root() / name).read_text(encoding="utf-8")
    for name in (
        "indicators/ilo-2009.yaml",
        "questionnaires/departure.yaml",
        "questionnaires/returnee.yaml",
    )
}
SPECIALS = list(":{}[]-\"'#&*!|>%@")


# --- mutations: each takes the text and a few random numbers ------------------------------


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True) or [""]


def delete_line(text: str, n: int) -> str:
    lines = _lines(text)
    del lines[n % len(lines)]
    return "".join(lines)


def duplicate_line(text: str, n: int) -> str:
    lines = _lines(text)
    i = n % len(lines)
    lines.insert(i, lines[i])
    return "".join(lines)


def swap_lines(text: str, n: int, m: int) -> str:
    lines = _lines(text)
    i, j = n % len(lines), m % len(lines)
    lines[i], lines[j] = lines[j], lines[i]
    return "".join(lines)


def reindent_line(text: str, n: int, indent: str) -> str:
    lines = _lines(text)
    i = n % len(lines)
    lines[i] = indent + lines[i].lstrip(" \t")
    return "".join(lines)


def replace_char(text: str, n: int, char: str) -> str:
    if not text:
        return char
    i = n % len(text)
    return text[:i] + char + text[i + 1 :]


def truncate(text: str, n: int) -> str:
    return text[: n % (len(text) + 1)]


def insert_key(text: str, n: int, indent: str, key: str, value: str) -> str:
    lines = _lines(text)
    lines.insert(n % (len(lines) + 1), f"{indent}{key}: {value}\n")
    return "".join(lines)


positions = st.integers(min_value=0, max_value=200_000)
indents = st.sampled_from(["", " ", "  ", "   ", "    ", "      ", "        ", "\t", "  \t"])
# Surrogates included on purpose: written with surrogatepass they make invalid UTF-8.
any_char = st.one_of(st.sampled_from(SPECIALS), st.characters(), st.characters(categories=["Cs"]))
keys = st.one_of(
    st.sampled_from(["id", "type", "options", "indicators", "tiers", "kind", "sections", "on"]),
    st.text(st.characters(codec="ascii", categories=["Ll", "Lu", "Nd", "Pc"]), min_size=1),
)
values = st.one_of(
    st.sampled_from(["", "x", "[]", "{}", "[a, b]", "{a: 1}", "yes", "null", "1", "&a x", "*a"]),
    st.text(max_size=10).map(lambda s: s.replace("\n", " ")),
)
mutations = st.one_of(
    st.builds(lambda n: ("delete", functools.partial(delete_line, n=n)), positions),
    st.builds(lambda n: ("duplicate", functools.partial(duplicate_line, n=n)), positions),
    st.builds(lambda n, m: ("swap", functools.partial(swap_lines, n=n, m=m)), positions, positions),
    st.builds(
        lambda n, i: ("reindent", functools.partial(reindent_line, n=n, indent=i)),
        positions,
        indents,
    ),
    st.builds(
        lambda n, c: ("replace", functools.partial(replace_char, n=n, char=c)), positions, any_char
    ),
    st.builds(lambda n: ("truncate", functools.partial(truncate, n=n)), positions),
    st.builds(
        lambda n, i, k, v: ("insert", functools.partial(insert_key, n=n, indent=i, key=k, value=v)),
        positions,
        indents,
        keys,
        values,
    ),
)


@pytest.fixture
def content_copy(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """One copy of the bundled content for every example; each example restores what it broke.

    Each distinct (path, bytes) is parsed once: the pure-Python YAML parser takes ~0.3 s a
    file, so the untouched files and the CLI's second look at the mutated one come from the
    cache, while every mutated text is still parsed, validated and cross-checked for real.
    """
    root = tmp_path_factory.mktemp("content")
    for name, original in BUNDLED.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(original, encoding="utf-8")
    cache: dict[tuple[str, bytes], object] = {}

    def cached(path: Path, display: str | None = None) -> object:
        key = (str(display or path), path.read_bytes())
        if key not in cache:
            cache[key] = load_file(path, display)
        return cache[key]

    monkeypatch.setattr(screening.content.catalogue, "load_file", cached)
    return root


@settings(
    # more for a deep run: SCREENING_FUZZ_EXAMPLES=1000 pytest tests/test_content_fuzz.py
    max_examples=int(os.environ.get("SCREENING_FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    name=st.sampled_from(sorted(BUNDLED)),
    changes=st.lists(mutations, min_size=1, max_size=3),
)
def test_mutated_content_never_crashes(content_copy: Path, name: str, changes: list) -> None:
    root = content_copy
    text = BUNDLED[name]
    for _, change in changes:
        text = change(text)
    (root / name).write_bytes(text.encode("utf-8", "surrogatepass"))
    try:
        catalogue = check([root / "indicators", root / "questionnaires"])
        assert isinstance(catalogue, Catalogue)
        for diagnostic in catalogue.diagnostics:
            assert diagnostic.message and str(diagnostic).startswith(str(root))

        result = runner.invoke(app, ["validate", "--content", str(root)])
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            result.exception
        )
        assert result.exit_code in (0, 1), result.output
        assert "Traceback" not in result.output
        assert (result.exit_code == 1) == bool(catalogue.errors), result.output
    finally:
        (root / name).write_text(BUNDLED[name], encoding="utf-8")


# --- what the fuzzing found, kept as plain examples ------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: &a [*a]\n", "1:4: an alias refers to a value that contains it"),
        ("a: &x {b: *x}\n", "1:4: an alias refers to a value that contains it"),
        ("version: 2024-13-45\n", "1:10: '2024-13-45' is not a valid date; put it in quotes"),
        ("a: !!int 12x\n", "1:4: '12x' is not a valid whole number"),
        ("a: !!float abc\n", "1:4: 'abc' is not a valid number"),
        ("a: !!bool maybe\n", "1:4: 'maybe' is not a valid true or false"),
        ("a: !!timestamp foo\n", "1:4: 'foo' is not a valid date"),
        ("a: !!int ''\n", "1:4: '' is not a valid whole number"),
        ("a: " + "[" * 600 + "\n", "1:1: the document is nested too deeply to read"),
        ("a: 1\nb: x\x1by\n", "2:5: character U+001B is not allowed in a YAML file; delete it"),
    ],
)
def test_yaml_values_that_once_raised(text: str, expected: str) -> None:
    source = load_text(text, "f.yaml")
    assert any(str(d).startswith(f"f.yaml:{expected}") for d in source.diagnostics), [
        str(d) for d in source.diagnostics
    ]


def test_a_bad_date_in_a_content_file_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "questionnaires" / "departure.yaml"
    path.parent.mkdir()
    original = BUNDLED["questionnaires/departure.yaml"]
    assert 'version: "1.0"\n' in original
    path.write_text(original.replace('version: "1.0"\n', "version: 2024-02-30\n", 1), "utf-8")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"{path}:33:10: '2024-02-30' is not a valid date" in result.stdout


@pytest.mark.parametrize("kind", ["[questionnaire]", "{a: 1}"])
def test_a_kind_that_is_not_a_name(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "script.yaml"
    path.write_text(f"kind: {kind}\nid: x\n", encoding="utf-8")
    assert [str(d) for d in check([path]).errors] == [
        f"{path}:1:7: cannot tell what this file is: add 'kind: questionnaire', "
        "'kind: indicator_set' or 'kind: service_directory'"
        + (" (did you mean 'questionnaire'?)" if "q" in kind else "")
    ]
