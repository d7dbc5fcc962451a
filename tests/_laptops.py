"""Counter laptops for the central-database tests: records made through the store's own API
(create, answer, note, finalize sealed for the office key), fast enough for many of them."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from screening.records.store import Store

FIRST_NAMES = ["Siti", "Dewi", "Rina", "Agus", "Budi", "Wati", "Yuni", "Eko"]  # invented


def fill(db: Path, count: int, public_key: Path | None, *, seed: int = 1,
         officer: str = "petugas-uji") -> list[str]:
    """``count`` finished records (and one draft) in the laptop database ``db``; their ids."""
    from screening.content.catalogue import load_catalogue
    from screening.records.crypto import load_public_key
    from screening.records.protection import protected_questions, sealer_for

    rng = random.Random(seed)
    cat = load_catalogue(None)
    questionnaire = cat.questionnaire("departure")
    protect = protected_questions(questionnaire)
    sealer = sealer_for(load_public_key(public_key)) if public_key else None
    start = datetime(2026, 11, 1, 8, tzinfo=UTC) + timedelta(minutes=seed)
    ids = []
    with Store(db) as store:
        for n in range(count + 1):
            at = start + timedelta(hours=n, seconds=rng.randrange(3600))

            def stamp(minutes: int, at: datetime = at) -> str:
                return (at + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

            rid = store.create_record(
                questionnaire_id=questionnaire.id,
                questionnaire_version=questionnaire.version,
                content_hash=cat.content_hash(questionnaire.id),
                snapshot=cat.snapshot(questionnaire.id),
                officer=officer,
                location="Kanim Uji, loket 1",
                language="id",
                started_at=stamp(0),
            )
            answers: dict[str, object] = {
                "consent": "yes",
                "consent_share": rng.choice(["yes", "no"]),
                "age": rng.randrange(18, 50),
                "full_name": f"{rng.choice(FIRST_NAMES)} Contoh {n}",
                "phone": f"0812-0000-{n:04d}",
                "destination_country": rng.choice(["Malaysia", "Arab Saudi"]),
                "passport_holder": rng.choice(["self", "agent"]),
            }
            for minute, (qid, value) in enumerate(answers.items(), start=1):
                store.save_answer(rid, qid, value, officer=officer, at=stamp(minute))
            store.save_answer(rid, "age", int(answers["age"]) + 1, officer=officer,  # type: ignore[call-overload]
                              at=stamp(9), reason="salah ketik")
            answers["age"] = int(answers["age"]) + 1  # type: ignore[call-overload]
            store.add_note(rid, "passport_holder", "paspor dipegang agen", officer=officer,
                           at=stamp(10))
            if n == count:
                break  # the last one stays a draft: drafts are never pushed
            store.finalize(
                rid,
                answers=answers,
                assessment=None,
                level=rng.choice(["low", "medium", "high"]),
                outcome="completed",
                completed_at=stamp(12),
                officer=officer,
                consent_share=answers["consent_share"] == "yes",
                protect=protect,
                sealer=sealer,
            )
            ids.append(rid)
    return ids
