"""Seed a records database with N realistic records, through the store's own schema.

    python benchmarks/seed.py --records 1000000 [--db PATH] [--seed 1] [--answers-share 1.0]

What a record looks like:

- both scripts (departure about 65 %, returnee 35 %), both languages (id 85 %, en 15 %),
  a few hundred officers at a few dozen offices, started over the 365 days before now;
- about 93 % completed with a spread of levels (low 70 %, medium 20 %, high 10 %),
  2 % consent declined (no answers, no assessment, as ``Store.finalize`` keeps them) and
  5 % drafts (a prefix of an interview's answers, no level);
- answers and assessments are real: a few hundred interview templates are walked through
  the engine (``screening.interview.engine.Interview``) with answers of varied risk, each
  scored once with ``screening.assessment.scoring.assess``, and every record reuses one template.

How it writes: ``Store(path)`` creates the schema (and runs its migrations); one
``store.create_record`` per questionnaire writes the content snapshot row exactly as an
interview does; then the records and their answers are bulk-inserted with ``executemany`` on
the store's own connection, one transaction per batch, in chronological order. Memory stays
flat (one batch at a time). ``history``, ``notes`` and the audit trail (``events``) are left
empty: the audit trail can only be written one event per transaction through
``Store.log_event``, which would take hours for a million records.

The seeded database file is meant for benchmarks only (``synchronous`` is relaxed while
seeding, which is safe for a file that can be regenerated).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

SEED_VERSION = 1
STAMP = "%Y-%m-%dT%H:%M:%S.%fZ"  # as screening.interview.clock.Clock.stamp()
EPOCH = datetime(1970, 1, 1)
ONE_SECOND = timedelta(seconds=1)
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LEVEL_WEIGHTS = {"low": 0.70, "medium": 0.20, "high": 0.10}
QUESTIONNAIRE_WEIGHTS = {"departure": 0.65, "returnee": 0.35}
LANGUAGE_WEIGHTS = {"id": 0.85, "en": 0.15}
DRAFT_SHARE = 0.05
DECLINED_SHARE = 0.02
TEMPLATES = 300  # distinct interviews, over all questionnaires
BATCH = 5_000  # records per transaction

RECORD_COLUMNS = (
    "id",
    "questionnaire",
    "questionnaire_version",
    "content_hash",
    "status",
    "outcome",
    "officer",
    "location",
    "language",
    "started_at",
    "updated_at",
    "completed_at",
    "level",
    "assessment_json",
    "consent_share",
)
ANSWER_COLUMNS = ("record_id", "question_id", "value_json", "officer", "answered_at", "seq")

OFFICES = [
    "Kanim Bengkulu",
    "Kanim Mukomuko",
    "Kanim Bengkulu Tengah",
    "TPI Fatmawati Soekarno",
    "Kanim Jakarta Selatan",
    "Kanim Tanjung Priok",
    "TPI Soekarno-Hatta T3",
    "Kanim Batam",
    "TPI Batam Centre",
    "Kanim Tanjung Pinang",
    "Kanim Entikong",
    "Kanim Nunukan",
    "Kanim Tarakan",
    "Kanim Mataram",
    "Kanim Kupang",
    "Kanim Atambua",
    "Kanim Surabaya",
    "TPI Juanda",
    "Kanim Malang",
    "Kanim Blitar",
    "Kanim Ponorogo",
    "Kanim Semarang",
    "Kanim Cilacap",
    "Kanim Cirebon",
    "Kanim Bandung",
    "Kanim Medan",
    "TPI Kualanamu",
    "Kanim Dumai",
    "Kanim Pekanbaru",
    "Kanim Makassar",
    "Kanim Parepare",
    "Kanim Denpasar",
]
FIRST = ["Siti", "Dewi", "Rina", "Agus", "Budi", "Nur", "Wahyu", "Sri", "Eko", "Ayu", "Rudi",
         "Indah", "Yanti", "Hendra", "Lestari", "Putri", "Fajar", "Rahmat", "Wulan", "Dian"]
LAST = ["Rahayu", "Santoso", "Wijaya", "Hidayat", "Saputra", "Lestari", "Pratama", "Kurniawan",
        "Susanti", "Nugroho", "Setiawan", "Handayani", "Siregar", "Nasution", "Harahap"]
COUNTRIES = ["Malaysia", "Arab Saudi", "Taiwan", "Hong Kong", "Singapura", "Kamboja",
             "Myanmar", "Uni Emirat Arab", "Korea Selatan", "Jepang", "Turki", "Qatar"]
DISTRICTS = ["Bengkulu Tengah", "Seluma", "Kaur", "Rejang Lebong", "Lebong", "Kepahiang",
             "Mukomuko", "Bengkulu Utara", "Bengkulu Selatan", "Kota Bengkulu"]
TEXTS = ["Tidak ada", "Kerja di pabrik", "Pekerja rumah tangga", "Rp 5.000.000 per bulan",
         "Tidak tahu", "Admin online", "Perkebunan sawit", "Menjaga orang tua"]


@dataclass(frozen=True)
class Template:
    questionnaire: str
    version: str
    content_hash: str
    #: (question id, value as stored JSON) in the order answered
    answers: tuple[tuple[str, str], ...]
    #: seconds from the start of the interview to each answer
    offsets: tuple[int, ...]
    level: str | None
    assessment_json: str | None
    consent_share: int | None


def _dump(value: object) -> str:
    """An answer as the store writes it (``screening.records.writes._dump`` when it exists)."""
    try:
        from screening.records.writes import _dump as store_dump
    except ImportError:  # pragma: no cover - the store changed; same JSON
        return json.dumps(value, ensure_ascii=False)
    return store_dump(value)


def _bad_answers(question: Any) -> list[str]:
    """The answers (yes/no or option keys) that reveal an indicator."""
    return [key for key, ids in question.indicators.items() if ids]


def _pick(question: Any, rng: random.Random, risk: float, child: bool) -> Any:
    """An answer to ``question`` for an interview of this ``risk`` (0..1)."""
    kind = question.type
    role = question.role
    if role == "consent":
        return "yes"
    if role == "consent_share":
        return "yes" if rng.random() < 0.8 else "no"
    if role == "age":
        return rng.randint(14, 17) if child else rng.randint(18, 49)
    if role == "birth_date":
        years = rng.randint(14, 17) if child else rng.randint(18, 49)
        return (date.today() - timedelta(days=365 * years + rng.randint(1, 360))).isoformat()
    if question.mode != "ask":  # the officer's checklist and observations
        if question.mode == "check":
            return "yes" if rng.random() < 0.9 else "no"
    elif rng.random() < 0.03:
        return rng.choice(["?", "-"])  # don't know / declines to answer
    bad = _bad_answers(question)
    if kind == "yes_no":
        if bad and rng.random() < risk:
            return rng.choice(bad)
        good = [a for a in ("yes", "no") if a not in bad] or ["no"]
        return rng.choice(good)
    if kind == "choice":
        keys = [o.key for o in question.options]
        good = [k for k in keys if k not in bad] or keys
        return rng.choice(bad) if bad and rng.random() < risk else rng.choice(good)
    if kind == "multi_choice":
        keys = [o.key for o in question.options]
        good = [k for k in keys if k not in bad] or keys
        chosen = {rng.choice(good)}
        if bad and rng.random() < risk:
            chosen.update(rng.sample(bad, k=min(len(bad), rng.randint(1, 2))))
            chosen.discard("none")
        return sorted(chosen)
    if kind == "number":
        return rng.randint(0, 60)
    if kind == "date":
        return (date.today() - timedelta(days=rng.randint(0, 3650))).isoformat()
    qid = question.id
    if "name" in qid:
        return f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    if "country" in qid:
        return rng.choice(COUNTRIES)
    if "district" in qid:
        return rng.choice(DISTRICTS)
    if "phone" in qid:
        return "08" + "".join(rng.choice("0123456789") for _ in range(10))
    if "number" in qid:
        return "X" + "".join(rng.choice("0123456789") for _ in range(7))
    return rng.choice(TEXTS)


def _walk(catalogue: Any, questionnaire_id: str, rng: random.Random, risk: float) -> Template:
    from screening.assessment.scoring import assess
    from screening.errors import InvalidAnswer
    from screening.interview.engine import Interview

    questionnaire = catalogue.questionnaire(questionnaire_id)
    indicator_set = catalogue.indicator_set(questionnaire.indicator_set)
    content_hash = catalogue.content_hash(questionnaire_id)
    interview = Interview(questionnaire)
    child = rng.random() < 0.08
    while (question := interview.next_question()) is not None:
        raw = _pick(question, rng, risk, child)
        try:
            value = interview.answer(question, raw, lang="en")
        except InvalidAnswer:
            value = interview.answer(question, "?", lang="en")
        interview.answers[question.id] = value
    answers = interview.pruned()
    assessment = assess(indicator_set, questionnaire, answers, content_hash=content_hash)
    share = answers.get("consent_share")
    offsets, at = [], 0
    for _ in answers:
        at += rng.randint(8, 60)
        offsets.append(at)
    return Template(
        questionnaire=questionnaire.id,
        version=questionnaire.version,
        content_hash=content_hash,
        answers=tuple((qid, _dump(value)) for qid, value in answers.items()),
        offsets=tuple(offsets),
        level=assessment.level if assessment else None,
        assessment_json=(
            json.dumps(assessment.model_dump(mode="json"), ensure_ascii=False)
            if assessment
            else None
        ),
        consent_share=None if share is None else int(share == "yes"),
    )


def build_templates(catalogue: Any, rng: random.Random, count: int = TEMPLATES) -> list[Template]:
    """``count`` interviews over the questionnaires, of varied risk, each scored once."""
    ids = [q for q in QUESTIONNAIRE_WEIGHTS if q in catalogue.questionnaires] or sorted(
        catalogue.questionnaires
    )
    per = max(3, count // len(ids))
    # Risk spread: most interviews reveal little, some reveal a lot.
    risks = (0.0, 0.03, 0.08, 0.15, 0.3, 0.5)
    return [_walk(catalogue, qid, rng, risks[n % len(risks)]) for qid in ids for n in range(per)]


def _record_id(day: str, rng: random.Random, taken: set[str]) -> str:
    while True:
        bits = rng.getrandbits(30)
        suffix = "".join(CROCKFORD[(bits >> (5 * i)) & 31] for i in range(6))
        record_id = f"{day}-{suffix}"
        if record_id not in taken:
            taken.add(record_id)
            return record_id


def _stamp(moment: datetime) -> str:
    """A naive UTC datetime as the store writes stamps (``Clock.stamp()``), quickly."""
    return moment.isoformat(timespec="microseconds") + "Z"


def generate(
    n: int,
    templates: list[Template],
    rng: random.Random,
    anchor: datetime,
    answers_share: float = 1.0,
) -> Iterator[tuple[list[tuple], list[tuple]]]:
    """Batches of (record rows, answer-source rows), oldest first.

    An answer-source row is (record id, template index, answers given, officer, start in
    whole seconds since 1970, the start's ".microsecondsZ").

    ``n`` records with start times spread uniformly over the 365 days before ``anchor``.
    """
    by_questionnaire: dict[str, dict[str, list[int]]] = {}
    for index, template in enumerate(templates):
        levels = by_questionnaire.setdefault(template.questionnaire, {})
        levels.setdefault(template.level or "none", []).append(index)
    questionnaires = [q for q in QUESTIONNAIRE_WEIGHTS if q in by_questionnaire] or sorted(
        by_questionnaire
    )
    q_weights = [QUESTIONNAIRE_WEIGHTS.get(q, 1.0) for q in questionnaires]
    level_names = list(LEVEL_WEIGHTS)
    level_weights = [LEVEL_WEIGHTS[level] for level in level_names]
    pools = {
        (q, level): by_questionnaire[q].get(level)
        or [i for ids in by_questionnaire[q].values() for i in ids]
        for q in questionnaires
        for level in level_names
    }
    officers = [f"{rng.choice(FIRST)} {rng.choice(LAST)} ({rng.randint(100000, 999999)})"
                for _ in range(300)]
    locations = [f"{office}, loket {k}" for office in OFFICES for k in range(1, 5)]
    start = anchor.replace(tzinfo=None) - timedelta(days=365)
    span = 365 * 86400.0
    # Sorted start times without holding n of them: each is the smallest of the uniforms
    # still to draw on (position, 1).
    remaining = n
    position = 0.0
    taken: set[str] = set()
    day_of_taken = ""
    records: list[tuple] = []
    given_rows: list[tuple] = []
    random_ = rng.random
    for i in range(n):
        position += (1.0 - position) * (1.0 - random_() ** (1.0 / remaining))
        remaining -= 1
        started = start + timedelta(seconds=position * span)
        day = started.strftime("%Y%m%d")
        if day != day_of_taken:
            taken.clear()
            day_of_taken = day
        record_id = _record_id(day, rng, taken)
        qid = rng.choices(questionnaires, q_weights)[0]
        level = rng.choices(level_names, level_weights)[0]
        index = rng.choice(pools[(qid, level)])
        template = templates[index]
        officer = rng.choice(officers)
        language = "id" if random_() < LANGUAGE_WEIGHTS["id"] else "en"
        roll = random_()
        count = len(template.answers)
        if roll < DRAFT_SHARE:
            status, outcome, level_, assessment, share = "draft", None, None, None, None
            count = rng.randint(1, max(1, count - 1))
        elif roll < DRAFT_SHARE + DECLINED_SHARE:
            status, outcome, level_, assessment, share = (
                "completed", "consent_declined", None, None, None)
            count = 0
        else:
            status, outcome = "completed", "completed"
            level_, assessment, share = (
                template.level, template.assessment_json, template.consent_share)
        last = started + timedelta(seconds=template.offsets[count - 1] if count else 0)
        if count and (answers_share >= 1.0 or random_() < answers_share):
            seconds = (started - EPOCH) // ONE_SECOND
            given_rows.append(
                (record_id, index, count, officer, seconds, f".{started.microsecond:06d}Z")
            )
        ended = last + timedelta(seconds=rng.randint(30, 300))
        done = status == "completed"
        records.append(
            (
                record_id,
                template.questionnaire,
                template.version,
                template.content_hash,
                status,
                outcome,
                officer,
                rng.choice(locations),
                language,
                _stamp(started),
                _stamp(ended if done else last),
                _stamp(ended) if done else None,
                level_,
                assessment,
                share,
            )
        )
        if len(records) >= BATCH or i == n - 1:
            yield records, given_rows
            records, given_rows = [], []


def seed(
    db: Path,
    n: int,
    *,
    seed_value: int = 1,
    answers_share: float = 1.0,
    content: Path | None = None,
    templates: int = TEMPLATES,
    progress: bool = False,
) -> dict[str, Any]:
    """Create ``db`` (it must not exist) with ``n`` records; returns facts about the run."""
    from screening.content.catalogue import load_catalogue
    from screening.records.store import Store

    if db.exists():
        raise SystemExit(f"{db} exists; seed writes a new file (delete it first)")
    rng = random.Random(seed_value)
    began = time.perf_counter()
    catalogue = load_catalogue(content)
    made = build_templates(catalogue, rng, templates)
    anchor = datetime.now(UTC).replace(microsecond=0)
    built = time.perf_counter() - began
    store = Store(db)
    try:
        # One real draft per questionnaire, started a year ago: it writes each content
        # snapshot row exactly as an interview does.
        first = _stamp(anchor.replace(tzinfo=None) - timedelta(days=366))
        questionnaires = sorted({t.questionnaire for t in made})
        for qid in questionnaires:
            store.create_record(
                questionnaire_id=qid,
                questionnaire_version=catalogue.questionnaire(qid).version,
                content_hash=catalogue.content_hash(qid),
                snapshot=catalogue.snapshot(qid),
                officer="seed",
                location="seed",
                language="id",
                started_at=first,
            )
        conn = store._conn  # the store's own connection (there is no public bulk API)
        assert conn is not None
        _check_columns(conn)
        # A regenerable benchmark file: no journal, no fsync, no foreign-key lookups (the rows
        # are consistent by construction) while loading; WAL and FULL again at the end.
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA cache_size = -262144")  # 256 MB while seeding
        # The templates' answers, once, in a temporary table: each batch's answers are
        # then written by SQLite itself (INSERT ... SELECT), not row by row from Python.
        conn.execute(
            "CREATE TEMP TABLE seed_template (template INTEGER, seq INTEGER, question_id TEXT, "
            "value_json TEXT, offset INTEGER, PRIMARY KEY (template, seq))"
        )
        conn.execute(
            "CREATE TEMP TABLE seed_given (record_id TEXT, template INTEGER, answers INTEGER, "
            "officer TEXT, started INTEGER, micro TEXT)"
        )
        conn.executemany(
            "INSERT INTO temp.seed_template VALUES (?, ?, ?, ?, ?)",
            [
                (index, seq, qid, value_json, offset)
                for index, template in enumerate(made)
                for seq, ((qid, value_json), offset) in enumerate(
                    zip(template.answers, template.offsets, strict=True), start=1
                )
            ],
        )
        record_sql = (
            f"INSERT INTO records ({', '.join(RECORD_COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(RECORD_COLUMNS))})"
        )
        answer_sql = (
            f"INSERT INTO answers ({', '.join(ANSWER_COLUMNS)}) "
            "SELECT g.record_id, t.question_id, t.value_json, g.officer, "
            "strftime('%Y-%m-%dT%H:%M:%S', g.started + t.offset, 'unixepoch') || g.micro, "
            "t.seq FROM temp.seed_given g "
            "JOIN temp.seed_template t ON t.template = g.template AND t.seq <= g.answers "
            "ORDER BY g.rowid, t.seq"
        )
        done = 0
        bulk = max(0, n - len(questionnaires))  # n records in all, with those drafts
        for records, given in generate(bulk, made, rng, anchor, answers_share):
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.executemany(record_sql, records)
                conn.executemany("INSERT INTO temp.seed_given VALUES (?, ?, ?, ?, ?, ?)", given)
                conn.execute(answer_sql)
                conn.execute("DELETE FROM temp.seed_given")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            done += len(records)
            if progress and (done % 100_000 < BATCH or done == bulk):
                rate = done / (time.perf_counter() - began)
                print(f"  {done:>9,} records  {rate:,.0f} records/s", file=sys.stderr)
        conn.execute("DROP TABLE temp.seed_template")
        conn.execute("DROP TABLE temp.seed_given")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("ANALYZE")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        counts = {
            status: count
            for status, count in conn.execute(
                "SELECT status || COALESCE('/' || level, '/' || outcome, ''), COUNT(*) "
                "FROM records GROUP BY 1 ORDER BY 1"
            )
        }
        answers_written = conn.execute("SELECT COUNT(*) FROM answers").fetchone()[0]
        done = conn.execute("SELECT COUNT(*) FROM records").fetchone()[0] - len(questionnaires)
    finally:
        store.close()
    return {
        "seed_version": SEED_VERSION,
        "records": n,
        "records_in_file": done + len(questionnaires),
        "answers": answers_written,
        "anchor": anchor.strftime(STAMP),
        "templates": len(made),
        "template_seconds": round(built, 2),
        "seconds": round(time.perf_counter() - began, 2),
        "bytes": db.stat().st_size,
        "counts": counts,
    }


def _check_columns(conn: Any) -> None:
    """Fail with a clear message if the store's tables lost a column the seed writes."""
    for table, columns in (("records", RECORD_COLUMNS), ("answers", ANSWER_COLUMNS)):
        have = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        missing = [c for c in columns if c not in have]
        if missing:
            raise SystemExit(
                f"the store's '{table}' table has no column(s) {', '.join(missing)}: "
                "update benchmarks/seed.py"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, required=True, help="How many records.")
    parser.add_argument("--db", type=Path, help="Database file to create "
                        "(default: benchmarks/.cache/records-N.db).")
    parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
    parser.add_argument(
        "--answers-share",
        type=float,
        default=1.0,
        help="Share of records that get their answer rows (default 1.0: all).",
    )
    parser.add_argument("--content", type=Path, help="Content folder (default: bundled).")
    args = parser.parse_args(argv)
    if args.records < 1:
        parser.error("--records must be at least 1")
    db = args.db or Path(__file__).resolve().parent / ".cache" / f"records-{args.records}.db"
    db.parent.mkdir(parents=True, exist_ok=True)
    facts = seed(
        db,
        args.records,
        seed_value=args.seed,
        answers_share=args.answers_share,
        content=args.content,
        progress=True,
    )
    print(json.dumps({"db": str(db), **facts}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
