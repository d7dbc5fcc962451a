"""The records database's schema: its forward migrations and the values its SQL writes.

Step N of :data:`MIGRATIONS` takes the schema from version N-1 to N; :class:`Database` runs
the steps a file lacks when it opens it (``records/database.py``).
"""

from __future__ import annotations

import json

TYPE_CHECKING = False  # typing itself takes ~3 ms to import: names for the checker only
if TYPE_CHECKING:
    from typing import Any

APPLICATION = "screening"
STATUSES = ("draft", "completed")

#: A protected value once sealed or erased (answers, history); notes are flagged instead.
SEALED = json.dumps({"sealed": True})
ERASED = json.dumps({"erased": True})
MARKERS = (SEALED, ERASED)
_EVENTS_APPEND_ONLY = """CREATE TRIGGER events_append_only BEFORE UPDATE ON events
            BEGIN SELECT RAISE(ABORT, 'events are append-only'); END"""

#: Forward migrations: step N (1-based) takes the schema from version N-1 to N. Append only;
#: never edit a step that has shipped. A step is SQL statements, or a function given the store
#: (run inside the same transaction).
MIGRATIONS: list[tuple[Any, ...]] = [
    (
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        f"INSERT INTO meta (key, value) VALUES ('application', '{APPLICATION}')",
        """CREATE TABLE content (
            hash TEXT PRIMARY KEY,
            questionnaire_id TEXT NOT NULL,
            questionnaire_yaml TEXT NOT NULL,
            indicator_set_yaml TEXT NOT NULL,
            extra_json TEXT,
            created_at TEXT NOT NULL
        )""",
        """CREATE TABLE records (
            id TEXT PRIMARY KEY,
            questionnaire TEXT NOT NULL,
            questionnaire_version TEXT NOT NULL,
            content_hash TEXT NOT NULL REFERENCES content(hash),
            status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'completed')),
            outcome TEXT CHECK (outcome IN ('completed', 'consent_declined')),
            officer TEXT NOT NULL,
            location TEXT NOT NULL,
            language TEXT NOT NULL,
            started_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            completed_at TEXT,
            level TEXT,
            assessment_json TEXT,
            consent_share INTEGER CHECK (consent_share IN (0, 1))
        )""",
        """CREATE TABLE answers (
            record_id TEXT NOT NULL REFERENCES records(id) ON DELETE CASCADE,
            question_id TEXT NOT NULL,
            value_json TEXT NOT NULL,
            officer TEXT NOT NULL,
            answered_at TEXT NOT NULL,
            seq INTEGER NOT NULL,
            PRIMARY KEY (record_id, question_id)
        )""",
        """CREATE TABLE history (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            record_id TEXT NOT NULL REFERENCES records(id) ON DELETE CASCADE,
            question_id TEXT NOT NULL,
            old_value_json TEXT,
            new_value_json TEXT,
            officer TEXT NOT NULL,
            changed_at TEXT NOT NULL,
            reason TEXT
        )""",
        """CREATE TABLE notes (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            record_id TEXT NOT NULL REFERENCES records(id) ON DELETE CASCADE,
            question_id TEXT,
            text TEXT NOT NULL,
            officer TEXT NOT NULL,
            created_at TEXT NOT NULL
        )""",
        # No foreign key: the audit trail outlives a purged record.
        """CREATE TABLE events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            record_id TEXT,
            kind TEXT NOT NULL,
            officer TEXT NOT NULL,
            at TEXT NOT NULL,
            detail_json TEXT
        )""",
        "CREATE INDEX records_status_started ON records (status, started_at)",
        "CREATE INDEX records_level_started ON records (level, started_at)",
        "CREATE INDEX records_questionnaire ON records (questionnaire)",
        "CREATE INDEX records_completed ON records (completed_at)",
        "CREATE INDEX records_started ON records (started_at, id)",
        "CREATE INDEX history_record ON history (record_id, id)",
        "CREATE INDEX notes_record ON notes (record_id, id)",
        "CREATE INDEX events_record ON events (record_id, id)",
        # The audit tables are append-only: rows are added, never rewritten.
        """CREATE TRIGGER history_append_only BEFORE UPDATE ON history
            BEGIN SELECT RAISE(ABORT, 'history is append-only'); END""",
        """CREATE TRIGGER events_append_only BEFORE UPDATE ON events
            BEGIN SELECT RAISE(ABORT, 'events are append-only'); END""",
    ),
    (
        # 2: the hash-chained trail, sealed records, erasure.
        "ALTER TABLE events ADD COLUMN digest_json TEXT",
        "ALTER TABLE events ADD COLUMN prev_hash TEXT",
        "ALTER TABLE events ADD COLUMN hash TEXT",
        "ALTER TABLE records ADD COLUMN sealed_json TEXT",
        "ALTER TABLE records ADD COLUMN erased_at TEXT",
        "ALTER TABLE records ADD COLUMN trail_key TEXT",
        "ALTER TABLE notes ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0",
        "DROP TRIGGER history_append_only",
        # Only sealing or erasing may touch a history row, and only to put a marker in place.
        f"""CREATE TRIGGER history_append_only BEFORE UPDATE ON history
            WHEN NEW.id IS NOT OLD.id OR NEW.record_id IS NOT OLD.record_id
              OR NEW.question_id IS NOT OLD.question_id OR NEW.officer IS NOT OLD.officer
              OR NEW.changed_at IS NOT OLD.changed_at OR NEW.reason IS NOT OLD.reason
              OR (NEW.old_value_json IS NOT OLD.old_value_json
                  AND COALESCE(NEW.old_value_json, '') NOT IN ('{SEALED}', '{ERASED}'))
              OR (NEW.new_value_json IS NOT OLD.new_value_json
                  AND COALESCE(NEW.new_value_json, '') NOT IN ('{SEALED}', '{ERASED}'))
            BEGIN SELECT RAISE(ABORT,
                'history is append-only: only sealing or erasing may replace a value'); END""",
        """CREATE TRIGGER events_never_deleted BEFORE DELETE ON events
            BEGIN SELECT RAISE(ABORT, 'the audit trail is never deleted'); END""",
        lambda store: store._chain_existing(),
    ),
    (
        # Listings page by (started_at, id) under a filter: an index that ends in both lets
        # each page start where the last one stopped instead of sorting every match again.
        "CREATE INDEX records_level_page ON records (level, started_at, id)",
        "CREATE INDEX records_status_page ON records (status, started_at, id)",
        "CREATE INDEX records_questionnaire_page ON records (questionnaire, started_at, id)",
        "DROP INDEX records_level_started",
        "DROP INDEX records_status_started",
    ),
    (
        # 4: referrals (screening.records.referrals) and their status trail.
        """CREATE TABLE referrals (
            id TEXT PRIMARY KEY,
            record_id TEXT NOT NULL REFERENCES records(id),
            service_id TEXT NOT NULL,
            service_json TEXT NOT NULL,
            status TEXT NOT NULL,
            outcome TEXT,
            consent TEXT NOT NULL CHECK (consent IN ('given', 'refused', 'overridden')),
            consent_by TEXT,
            override_reason TEXT,
            information_only INTEGER NOT NULL CHECK (information_only IN (0, 1)),
            reason TEXT,
            officer TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            closed_at TEXT,
            erased_at TEXT,
            trail_key TEXT NOT NULL
        )""",
        """CREATE TABLE referral_steps (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            referral_id TEXT NOT NULL REFERENCES referrals(id),
            status TEXT NOT NULL,
            outcome TEXT,
            note TEXT,
            officer TEXT NOT NULL,
            at TEXT NOT NULL
        )""",
        "CREATE INDEX referrals_record ON referrals (record_id, created_at)",
        "CREATE INDEX referrals_status ON referrals (status, updated_at)",
        "CREATE INDEX referral_steps_referral ON referral_steps (referral_id, id)",
        # The status trail is only added to; erasure may blank a note, nothing else.
        """CREATE TRIGGER referral_steps_append_only BEFORE UPDATE ON referral_steps
            WHEN NEW.id IS NOT OLD.id OR NEW.referral_id IS NOT OLD.referral_id
              OR NEW.status IS NOT OLD.status OR NEW.outcome IS NOT OLD.outcome
              OR NEW.officer IS NOT OLD.officer OR NEW.at IS NOT OLD.at
              OR (NEW.note IS NOT OLD.note AND NEW.note IS NOT NULL)
            BEGIN SELECT RAISE(ABORT, 'the referral status trail is append-only'); END""",
    ),
    (
        # 5: every event signed by the device that wrote it (its key lives outside the file);
        # the devices' public keys are recorded, and the trail says when signing began.
        "ALTER TABLE events ADD COLUMN signer TEXT",
        "ALTER TABLE events ADD COLUMN signature TEXT",
        """CREATE TABLE devices (
            fingerprint TEXT PRIMARY KEY,
            public_key TEXT NOT NULL,
            first_seen TEXT NOT NULL
        )""",
        lambda store: store._start_signing(),
    ),
    (
        # 6: what produced an assessment: the hash of the parsed content actually used (from
        # the parse cache or a fresh parse), the scoring version and the day it was scored,
        # so verify can re-score like with like. A content snapshot keeps the parsed hash it
        # was first used with.
        "ALTER TABLE records ADD COLUMN parsed_hash TEXT",
        "ALTER TABLE records ADD COLUMN scoring_version INTEGER",
        "ALTER TABLE records ADD COLUMN scored_on TEXT",
        "ALTER TABLE content ADD COLUMN parsed_hash TEXT",
    ),
]
SCHEMA_VERSION = len(MIGRATIONS)
