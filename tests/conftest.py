"""Shared fixtures: small content written inline next to the tests that use it."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

MINI_SET = """\
kind: indicator_set
id: mini
version: "1"
languages: [id, en]
title: {id: Mini, en: Mini}
dimensions:
  - {id: deceptive_recruitment, title: {id: Tipu, en: Deceit}, elements: [act, means],
     stage: recruitment}
  - {id: exploitation, title: {id: Eksploitasi, en: Exploitation}, elements: [purpose],
     stage: destination}
  - {id: coercion_destination, title: {id: Paksa, en: Coercion}, elements: [means],
     stage: destination}
indicators:
  - id: deceptive_recruitment.nature_of_job
    label: {id: Jenis kerja, en: Nature of job}
    tiers: {adult-labour: strong, child-labour: strong}
  - id: deceptive_recruitment.wages
    label: {id: Upah, en: Wages}
    tiers: {adult-labour: medium, child-labour: medium}
  - id: exploitation.excessive_hours
    label: {id: Jam kerja, en: Hours}
    tiers: {adult-labour: strong, child-labour: strong}
  - id: exploitation.low_or_no_salary
    label: {id: Gaji, en: Salary}
    tiers: {adult-labour: medium, child-labour: medium}
  - id: coercion_destination.confiscation_of_documents
    label: {id: Paspor, en: Passport}
    tiers: {adult-labour: strong, child-labour: strong}
  - id: coercion_destination.isolation
    label: {id: Dikurung, en: Confined}
    tiers: {adult-labour: strong, child-labour: strong}
rule:
  dimension_positive:
    - {label: "2 strong", strong: 2}
    - {label: "1 strong + 1 medium or weak", strong: 1, medium_or_weak: 1}
    - {label: "3 medium", medium: 3}
    - {label: "2 medium + 1 weak", medium: 2, weak: 1}
  combination:
    adult-labour: [[deceptive_recruitment], [exploitation], [coercion_destination]]
    child-labour: [[deceptive_recruitment], [exploitation]]
levels:
  - {id: high, title: {id: Tinggi, en: High}, when: [trafficking_combination]}
  - {id: medium, title: {id: Sedang, en: Medium}, when: [positive_dimension, strong_indicator]}
  - {id: low, title: {id: Rendah, en: Low}, when: [always]}
"""

MINI_SCRIPT = """\
kind: questionnaire
id: mini
version: "1"
languages: [id, en]
indicator_set: mini
title: {id: Mini, en: Mini}
sections:
  - id: start
    title: {id: Mulai, en: Start}
    questions:
      - id: consent
        type: yes_no
        role: consent
        text: {id: "Setuju?", en: "Do you agree?"}
      - id: age
        type: number
        role: age
        text: {id: "Umur?", en: "Age?"}
        constraint:
          rule: "value >= 0 and value <= 120"
          message: {id: Umur 0-120, en: Age 0-120}
      - id: job_offer
        type: yes_no
        text: {id: "Ada tawaran kerja?", en: "A job offer?"}
      - id: job_type
        type: choice
        show_when: "job_offer == 'yes'"
        text: {id: "Kerja apa?", en: "What work?"}
        options:
          - {key: domestic, label: {id: PRT, en: Domestic}}
          - {key: other, label: {id: Lain, en: Other}}
      - id: passport_held
        type: yes_no
        sensitive: true
        text: {id: "Paspor dipegang orang lain?", en: "Someone else holds your passport?"}
        indicators:
          "yes": [coercion_destination.confiscation_of_documents]
      - id: danger
        type: yes_no
        text: {id: "Bahaya?", en: "In danger?"}
        alert:
          on: ["yes"]
          title: {id: Bahaya, en: Danger}
          message: {id: Amankan, en: Make safe}
      - id: name
        type: text
        identifying: true
        required: false
        text: {id: "Nama?", en: "Name?"}
"""


def write_content(root: Path, files: dict[str, str]) -> Path:
    """Write ``files`` (relative path -> YAML text) under ``root`` and return ``root``."""
    for name, text in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


@pytest.fixture
def mini_content(tmp_path: Path) -> Path:
    """A valid, tiny content folder: one indicator set, one questionnaire."""
    return write_content(
        tmp_path / "content",
        {"indicators/mini.yaml": MINI_SET, "questionnaires/mini.yaml": MINI_SCRIPT},
    )


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """No test reads or writes the real user's settings, database or content."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    for name in ("SCREENING_DB", "SCREENING_CONTENT", "SCREENING_SETTINGS",
                 "SCREENING_PUBLIC_KEY", "SCREENING_KEY_PASSPHRASE"):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture(autouse=True)
def _signal_handlers():
    """An interrupted interview ignores further signals until its process exits; under
    CliRunner that process is the test run, so put the handlers back after each test."""
    import signal

    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)
