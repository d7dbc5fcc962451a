"""The validated-content cache: a start with unchanged content skips re-validation, and
nothing stale, damaged, foreign or unfaithful is ever believed (issue 16)."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

import pytest
from pydantic import BaseModel

from _protect import invoke, write_form
from screening.content import catalogue as catalogue_module
from screening.content import validated_cache
from screening.content.catalogue import (
    Catalogue,
    bundled_root,
    check,
    content_paths,
    load_catalogue,
)
from screening.errors import ContentError

MEDIUM = {"consent": "yes", "age": 30, "job_offer": "no", "passport_held": "yes",
          "danger": "no", "name": "Nama Uji"}
CONSENT_EN = "Do you agree?"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("SCREENING_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times the content was validated (``check`` ran)."""
    calls: list[int] = []
    real = catalogue_module.check

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(catalogue_module, "check", counting)
    return calls


def models(value: object) -> list[BaseModel]:
    """Every model in a document, the document first."""
    if isinstance(value, BaseModel):
        return [value, *(m for v in value.__dict__.values() for m in models(v))]
    if isinstance(value, list | tuple):
        return [m for v in value for m in models(v)]
    if isinstance(value, dict):
        return [m for v in value.values() for m in models(v)]
    return []


def entry(cache: Path) -> Path:
    (found,) = cache.glob(f"*{validated_cache.SUFFIX}")
    return found


def consent_text(cat: Catalogue) -> str:
    return cat.questionnaires["mini"].question("consent").text["en"]  # type: ignore[union-attr]


def tamper(path: Path, *, rehash: bool) -> None:
    """Change the remembered wording of the consent question; ``rehash``: fix the checksum
    too, as someone who read the code would."""
    digest, _, body = path.read_bytes().partition(b"\n")
    body = body.replace(CONSENT_EN.encode(), b"TAMPERED")
    assert b"TAMPERED" in body
    if rehash:
        digest = hashlib.sha256(body).hexdigest().encode()
    mode = stat.S_IMODE(path.stat().st_mode)
    path.write_bytes(digest + b"\n" + body)
    path.chmod(mode)


def test_an_unchanged_content_is_validated_once_and_rebuilt_equal(
    cache: Path, counted: list[int]
) -> None:
    first = load_catalogue(bundled_root())
    assert stat.S_IMODE(entry(cache).stat().st_mode) == 0o600
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    second = load_catalogue(bundled_root())
    assert counted == [1]  # the second load validated nothing
    fresh = check(content_paths(bundled_root()), cache=False)
    for got in (first, second):
        assert validated_cache._same(got.questionnaires, fresh.questionnaires)
        assert validated_cache._same(got.directories, fresh.directories)
        assert got.sources == fresh.sources and got.parsed == fresh.parsed
        assert got.files == fresh.files and got.diagnostics == fresh.diagnostics
    # each rebuilt model is what model_construct makes of its values, private defaults too
    rebuilt = [m for table in (second.questionnaires, second.indicator_sets,
                               second.directories) for doc in table.values() for m in models(doc)]
    assert len(rebuilt) > 500
    for model in rebuilt:
        made = type(model).model_construct(set(model.model_fields_set), **model.__dict__)
        assert validated_cache._same(model, made)
        assert model.__pydantic_private__ == made.__pydantic_private__
    # the indicator sets carry the directory's services after a load (with_services)
    assert validated_cache._same(first.indicator_sets, second.indicator_sets)
    assert second.content_hash("departure") == first.content_hash("departure")
    assert second.parsed_hash("departure") == first.parsed_hash("departure")


def test_an_edited_file_is_validated_again_and_every_problem_worded(
    mini_content: Path, cache: Path, counted: list[int]
) -> None:
    load_catalogue(mini_content)
    script = mini_content / "questionnaires" / "mini.yaml"
    script.write_text(script.read_text().replace("type: number", "type: numbr", 1))
    with pytest.raises(ContentError) as raised:
        load_catalogue(mini_content)
    expected = check(content_paths(mini_content), cache=False).errors
    assert expected and raised.value.diagnostics == expected
    assert [str(d) for d in raised.value.diagnostics] == [str(d) for d in expected]
    assert "'numbr' is not one of" in str(raised.value.diagnostics[0])
    # a valid edit is believed only once it has been validated: its own text comes back
    script.write_text(script.read_text().replace("type: numbr", "type: number")
                      .replace(CONSENT_EN, "Do you agree to talk?"))
    assert consent_text(load_catalogue(mini_content)) == "Do you agree to talk?"
    assert len(counted) == 3


def test_a_damaged_entry_is_not_believed(mini_content: Path, cache: Path) -> None:
    load_catalogue(mini_content)
    tamper(entry(cache), rehash=False)
    assert consent_text(load_catalogue(mini_content)) == CONSENT_EN


def test_an_entry_another_account_could_write_is_not_believed(
    mini_content: Path, cache: Path
) -> None:
    load_catalogue(mini_content)
    path = entry(cache)
    tamper(path, rehash=True)
    # The control: this account's own private entry is believed (the trust boundary is the
    # account, as for the code itself)...
    assert consent_text(load_catalogue(mini_content)) == "TAMPERED"
    # ...but not once another account could have written the file, or replaced it.
    path.chmod(0o620)
    assert consent_text(load_catalogue(mini_content)) == CONSENT_EN
    tamper(entry(cache), rehash=True)  # afresh: that load validated and rewrote the entry
    assert consent_text(load_catalogue(mini_content)) == "TAMPERED"
    cache.chmod(0o777)
    try:
        assert consent_text(load_catalogue(mini_content)) == CONSENT_EN
    finally:
        cache.chmod(0o700)


@pytest.mark.skipif(os.name == "nt" or os.getuid() != 0, reason="needs root to chown")
def test_an_entry_owned_by_another_account_is_not_believed(
    mini_content: Path, cache: Path
) -> None:
    load_catalogue(mini_content)
    path = entry(cache)
    tamper(path, rehash=True)
    os.chown(path, 12345, -1)
    assert consent_text(load_catalogue(mini_content)) == CONSENT_EN


def test_an_entry_under_another_key_is_not_believed(mini_content: Path, cache: Path) -> None:
    load_catalogue(mini_content)
    old = entry(cache)
    tamper(old, rehash=True)
    script = mini_content / "questionnaires" / "mini.yaml"
    script.write_text(script.read_text() + "\n# edited\n")
    load_catalogue(mini_content)  # a second entry, for the edited text
    new = next(p for p in cache.glob(f"*{validated_cache.SUFFIX}") if p != old)
    os.replace(old, new)  # the old (tampered) entry under the new key's name
    assert consent_text(load_catalogue(mini_content)) == CONSENT_EN


def test_another_code_version_or_day_validates_again(
    mini_content: Path, cache: Path, counted: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    load_catalogue(mini_content)
    load_catalogue(mini_content)
    assert len(counted) == 1
    monkeypatch.setattr(validated_cache, "_fingerprint", [b"another version of the code"])
    load_catalogue(mini_content)
    assert len(counted) == 2

    class Tomorrow(validated_cache.date):
        @classmethod
        def today(cls) -> validated_cache.date:
            return validated_cache.date(2999, 1, 1)

    monkeypatch.setattr(validated_cache, "date", Tomorrow)
    load_catalogue(mini_content)
    assert len(counted) == 3


def test_the_cache_off_validates_every_time(
    mini_content: Path, monkeypatch: pytest.MonkeyPatch, counted: list[int]
) -> None:
    monkeypatch.setenv("SCREENING_CACHE_DIR", "off")
    load_catalogue(mini_content)
    load_catalogue(mini_content)
    assert len(counted) == 2


def test_what_does_not_rebuild_exactly_is_not_remembered(
    mini_content: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(validated_cache, "_same", lambda a, b: False)
    load_catalogue(mini_content)
    assert not list(cache.glob(f"*{validated_cache.SUFFIX}"))


def test_the_comparison_sees_types_and_the_fields_given() -> None:
    from screening.models.questionnaire import Option

    given = Option(key="a", label={"en": "A"})
    spelled = Option(key="a", label={"en": "A"}, exclusive=False)
    assert validated_cache._same(given, Option(key="a", label={"en": "A"}))
    assert not validated_cache._same(given, spelled)  # same values, other fields given
    assert not validated_cache._same([given], (given,))
    assert not validated_cache._same({"x": 1}, {"x": 1.0})
    with pytest.raises(validated_cache._Unfaithful):
        validated_cache._plain({"n": (1, 2)})


def test_a_start_from_the_cache_records_the_same_and_verify_agrees(
    tmp_path: Path, mini_content: Path, cache: Path
) -> None:
    env = {"SCREENING_DB": str(tmp_path / "records.db"), "SCREENING_CONTENT": str(mini_content),
           "SCREENING_CACHE_DIR": str(cache)}
    ids = []
    for name in ("a", "b"):
        form = write_form(tmp_path / f"{name}.json", MEDIUM)
        result = invoke(env, "interview", "start", "mini", "--answers", str(form))
        assert result.exit_code == 0, result.output
        ids.append(result.stdout.strip().splitlines()[-1])
        if name == "a":
            assert entry(cache).exists()  # the second start is from the cache
    shown = [json.loads(invoke(env, "records", "show", rid, "--format", "json").stdout)
             for rid in ids]
    assert shown[0]["assessment"]["level"] == shown[1]["assessment"]["level"] == "medium"
    verified = invoke(env, "records", "verify")
    assert verified.exit_code == 0, verified.output


def test_a_rehashed_entry_can_fool_a_new_database_but_not_verify(
    tmp_path: Path, mini_content: Path, cache: Path
) -> None:
    """Like the parse cache: an entry rewritten by someone with this account and the code
    in hand is believed at the counter, and ``records verify`` (a fresh parse and re-score of
    the snapshot) names every record it changed."""
    env = {"SCREENING_DB": str(tmp_path / "records.db"), "SCREENING_CONTENT": str(mini_content),
           "SCREENING_CACHE_DIR": str(cache)}
    form = write_form(tmp_path / "a.json", MEDIUM)
    assert invoke(env, "interview", "start", "mini", "--answers", str(form)).exit_code == 0
    path = entry(cache)
    digest, _, body = path.read_bytes().partition(b"\n")
    stored = json.loads(body)
    for kind, _id, _shown, _parsed, data in stored["documents"]:
        if kind == "indicator_set":
            for indicator in data["indicators"]:
                if indicator["id"] == "coercion_destination.confiscation_of_documents":
                    indicator["tiers"] = {"adult-labour": "weak", "child-labour": "weak"}
    body = json.dumps(stored).encode()
    path.write_bytes(hashlib.sha256(body).hexdigest().encode() + b"\n" + body)
    other = {**env, "SCREENING_DB": str(tmp_path / "other.db")}
    result = invoke(other, "interview", "start", "mini", "--answers", str(form))
    assert result.exit_code == 0, result.output
    fooled = result.stdout.strip().splitlines()[-1]
    shown = json.loads(invoke(other, "records", "show", fooled, "--format", "json").stdout)
    assert shown["assessment"]["level"] == "low"
    checked = invoke(other, "records", "verify", "--format", "json")
    assert checked.exit_code == 1
    (problem,) = [p["problem"] for p in json.loads(checked.stdout)["problems"]]
    assert problem.startswith(f"record {fooled}: its stored assessment is not what its answers "
                              "score under its own content")
    assert "level: low → medium" in problem


def test_a_cache_write_the_disk_refuses_leaves_no_partial_file(tmp_path: Path) -> None:
    """A full disk (here a file-size limit: writes past it fail as on a full disk) costs only
    the cache: the content loads, and no half-written entry is left to take the space the
    records database needs."""
    import subprocess
    import sys

    folder = tmp_path / "cache"
    script = (
        "import resource, signal\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, resource.RLIM_INFINITY))\n"
        "from screening.content.catalogue import bundled_root, load_catalogue\n"
        "print(sorted(load_catalogue(bundled_root()).questionnaires))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env={**os.environ, "SCREENING_CACHE_DIR": str(folder)}, check=False)
    assert done.returncode == 0, done.stderr
    assert "departure" in done.stdout
    left = sorted(p.name for p in folder.iterdir())
    assert left and not [name for name in left if name.endswith(".tmp")], left
    assert not list(folder.glob(f"*{validated_cache.SUFFIX}"))  # too large for the limit
