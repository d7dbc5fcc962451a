"""Several officers' processes writing interviews to one database at the same time."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml
from tests.test_crash import full_form


def test_parallel_interviews_on_one_file_lose_nothing(tmp_path: Path) -> None:
    raw, order, expected = full_form()
    form = tmp_path / "form.yaml"
    form.write_text(yaml.safe_dump({"officer": "Petugas Uji", "answers": raw}), "utf-8")
    db = tmp_path / "shared.db"
    env = {
        **os.environ,
        "SCREENING_DB": str(db),
        "SCREENING_SETTINGS": str(tmp_path / "settings.json"),
    }
    children = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "screening.cli.main",
                "interview",
                "start",
                "departure",
                "--answers",
                str(form),
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    ids = []
    for child in children:
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
        assert "locked" not in err
        ids.append(out.strip().splitlines()[-1])
    assert len(set(ids)) == 4

    from screening.records.store import Store

    with Store(db) as store:
        for record_id in ids:
            record = store.record(record_id)
            assert record["status"] == "completed"
            assert record["answers"] == expected
