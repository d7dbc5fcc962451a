"""The central schema: versioned migrations, two roles, the grants printed for a database
administrator, and ``central status``.

What the centre holds, per record: the laptop's rows exactly as the laptop's trail digests
them (``body``: the record row with its sealed envelope as it is, answers, history, notes),
typed columns for listing, the device and office it came from, and a ``version`` (a hash of
the body) that makes a push idempotent. Per device: its audit events, hash chain and all.

Who may do what:
- ``screening_push`` (counter laptops) adds events, content snapshots and push summaries, and
  puts records only through ``put_record``, which adds a new record, refuses an id another
  device holds, and replaces a record only with a newer state from the same device (an
  erasure at the laptop erases at the centre). It reads only the columns that deduplicate. It
  can neither update nor delete a row.
- ``screening_read`` (reports, exports) reads everything and writes only the central access
  trail, through ``log_access``.
Sealed values stay sealed: the centre never holds a private key.

Whom it believes (schema 3, trust.py): each device is bound at first contact
(``admit_device``) to its signing keys and to the login that pushed it; the database refuses
another login's events and records for it and events signed by a key not trusted for it, and
``put_record`` takes a record's state only when the device's trail at the centre names it.
The database's owner administers: it may push or import any device and is bound to none.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from screening.central.connection import (
    APPLICATION,
    SCHEMA,
    connect,
    guard,
    redact,
    schema_version,
)
from screening.errors import StoreError

PUSH_ROLE = "screening_push"
READ_ROLE = "screening_read"
GENESIS = "0" * 64

# The typed columns of a central record, from the laptop's row in the body (``r``).
_COLUMNS = {
    "questionnaire": "r->>'questionnaire'",
    "status": "r->>'status'",
    "outcome": "r->>'outcome'",
    "officer": "r->>'officer'",
    "location": "r->>'location'",
    "language": "r->>'language'",
    "started_at": "r->>'started_at'",
    "completed_at": "r->>'completed_at'",
    "level": "r->>'level'",
    "erased_at": "r->>'erased_at'",
    "content_hash": "r->>'content_hash'",
    "consent_share": "((r->>'consent_share')::int = 1)",
    "sealed_for": "CASE WHEN r->>'sealed_json' IS NULL THEN NULL "
    "ELSE (r->>'sealed_json')::jsonb->>'key' END",
    "answered": "jsonb_array_length(p_body->'answers')",
    "trail_event": "(p_body->>'event')::bigint",
}

_PUT_RECORD = f"""
CREATE FUNCTION {SCHEMA}.put_record(p_device text, p_office text, p_version text, p_body jsonb)
RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r jsonb := p_body->'row';
    rid text := p_body->'row'->>'id';
    cur record;
BEGIN
    IF rid IS NULL OR r->>'status' IS DISTINCT FROM 'completed' THEN
        RAISE EXCEPTION 'only finished records are accepted' USING ERRCODE = '22023';
    END IF;
    SELECT device_id, version, trail_event INTO cur FROM {SCHEMA}.records
        WHERE id = rid FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO {SCHEMA}.records (id, device_id, office, version, body,
                                      {", ".join(_COLUMNS)})
        VALUES (rid, p_device, p_office, p_version, p_body, {", ".join(_COLUMNS.values())})
        ON CONFLICT (id) DO NOTHING;
        IF FOUND THEN
            RETURN 'added';
        END IF;
        SELECT device_id, version, trail_event INTO cur FROM {SCHEMA}.records
            WHERE id = rid FOR UPDATE;
    END IF;
    IF cur.device_id <> p_device THEN
        RETURN 'collision';
    END IF;
    IF cur.version = p_version THEN
        RETURN 'same';
    END IF;
    IF (p_body->>'event')::bigint < cur.trail_event THEN
        RETURN 'older';
    END IF;
    UPDATE {SCHEMA}.records SET office = p_office, version = p_version, body = p_body,
        {", ".join(f"{c} = {e}" for c, e in _COLUMNS.items())}, updated_at = now()
        WHERE id = rid;
    RETURN 'updated';
END $$"""

# A device's events must continue the chain the centre holds for it: checked on every insert,
# whoever inserts. (The hashes themselves are checked by the pushing tool and by verify.)
_EVENTS_LINK = f"""
CREATE FUNCTION {SCHEMA}.events_link() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id = 1 THEN
        IF NEW.prev_hash IS DISTINCT FROM '{GENESIS}' THEN
            RAISE EXCEPTION 'event 1 of device % does not start a chain', NEW.device_id
                USING ERRCODE = 'P0001', HINT = 'chain';
        END IF;
    ELSIF NOT EXISTS (SELECT 1 FROM {SCHEMA}.events
                      WHERE device_id = NEW.device_id AND id = NEW.id - 1
                        AND hash = NEW.prev_hash) THEN
        RAISE EXCEPTION 'event % of device % does not continue the chain held here',
            NEW.id, NEW.device_id USING ERRCODE = 'P0001', HINT = 'chain';
    END IF;
    RETURN NEW;
END $$"""

# The centre's own trail: who read what. Hash-chained like a laptop's; ``access_hash`` in
# reader.py recomputes the same hash.
_LOG_ACCESS = f"""
CREATE FUNCTION {SCHEMA}.log_access(p_officer text, p_kind text, p_record text, p_detail text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    prev text;
    stamp text := to_char(clock_timestamp() AT TIME ZONE 'UTC',
                          'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
    who text := session_user;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('{SCHEMA}.access'));
    SELECT hash INTO prev FROM {SCHEMA}.access ORDER BY id DESC LIMIT 1;
    prev := coalesce(prev, '{GENESIS}');
    INSERT INTO {SCHEMA}.access (at, db_user, officer, kind, record_id, detail, prev_hash, hash)
    VALUES (stamp, who, p_officer, p_kind, p_record, p_detail, prev,
            encode(sha256(convert_to(concat_ws(chr(31), prev, stamp, who, p_officer, p_kind,
                   coalesce(p_record, ''), coalesce(p_detail, '')), 'UTF8')), 'hex'));
END $$"""

# Schema 3: only a login bound to the device puts its records, and only a state its trail
# vouches for: the event the body names must be one of this device's, about this record
# (events arrive first), so no login can put a "newer" body beside another device's chain.
_PUT_RECORD_3 = _PUT_RECORD.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION").replace(
    """        RAISE EXCEPTION 'only finished records are accepted' USING ERRCODE = '22023';
    END IF;
""",
    f"""        RAISE EXCEPTION 'only finished records are accepted' USING ERRCODE = '22023';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM {SCHEMA}.device_logins
                   WHERE device_id = p_device AND login = session_user)
       AND NOT {SCHEMA}.administers() THEN
        RAISE EXCEPTION 'device % is pushed under another login', p_device
            USING ERRCODE = 'P0001', HINT = 'login';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM {SCHEMA}.events WHERE device_id = p_device
                   AND id = (p_body->>'event')::bigint AND record_id = rid) THEN
        RETURN 'unvouched';
    END IF;
""",
)
assert _PUT_RECORD_3.count("unvouched") == 1

_FINGERPRINT = (
    "concat_ws('-', substr(h, 1, 4), substr(h, 5, 4), substr(h, 9, 4), substr(h, 13, 4), "
    "substr(h, 17, 4))"
)

# The database's owner (or a superuser) administers the centre: it may push or import any
# device (a bundle carried to the office) and is never bound to one. It could bypass any
# check anyway (it owns the triggers); verify still checks what it put.
_ADMINISTERS = f"""
CREATE FUNCTION {SCHEMA}.administers() RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = session_user), false)
        OR pg_has_role(session_user, (SELECT nspowner FROM pg_namespace
                                      WHERE nspname = '{SCHEMA}'), 'MEMBER')
$$"""

# Who may push a device, and which keys may sign for it: bound on first contact (the login
# that pushes it first, the keys it brings), kept afterwards. Returns the trusted keys.
_ADMIT_DEVICE = f"""
CREATE FUNCTION {SCHEMA}.admit_device(p_device text, p_keys jsonb)
RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    who text := session_user;
    first_key boolean;
    k jsonb;
    h text;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('admit:' || p_device));
    IF {SCHEMA}.administers() THEN
        NULL;  -- the owner pushes any device and is bound to none
    ELSIF NOT EXISTS (SELECT 1 FROM {SCHEMA}.device_logins WHERE device_id = p_device) THEN
        INSERT INTO {SCHEMA}.device_logins (device_id, login, how)
        VALUES (p_device, who, 'first push');
    ELSIF NOT EXISTS (SELECT 1 FROM {SCHEMA}.device_logins
                      WHERE device_id = p_device AND login = who) THEN
        RAISE EXCEPTION 'device % is pushed under another login', p_device
            USING ERRCODE = 'P0001', HINT = 'login';
    END IF;
    first_key := NOT EXISTS (SELECT 1 FROM {SCHEMA}.device_keys
                             WHERE device_id = p_device AND trusted_by IS NOT NULL);
    FOR k IN SELECT value FROM jsonb_array_elements(coalesce(p_keys, '[]')) LOOP
        BEGIN
            h := encode(sha256(decode(k->>'public_key', 'base64')), 'hex');
        EXCEPTION WHEN others THEN
            CONTINUE;  -- not a key: nothing to record
        END;
        CONTINUE WHEN {_FINGERPRINT} IS DISTINCT FROM k->>'fingerprint';
        INSERT INTO {SCHEMA}.device_keys (device_id, fingerprint, public_key, first_seen,
                                          trusted_by, trusted_at)
        VALUES (p_device, k->>'fingerprint', k->>'public_key',
                coalesce(k->>'first_seen', ''),
                CASE WHEN first_key THEN 'first push by ' || who END,
                CASE WHEN first_key THEN now() END)
        ON CONFLICT (device_id, fingerprint) DO NOTHING;
    END LOOP;
    RETURN (SELECT coalesce(jsonb_agg(jsonb_build_object(
                'fingerprint', fingerprint, 'public_key', public_key) ORDER BY fingerprint),
                '[]'::jsonb)
            FROM {SCHEMA}.device_keys WHERE device_id = p_device AND trusted_by IS NOT NULL);
END $$"""

# Schema 3: besides continuing the chain, an event must come from a login bound to its device
# and be signed (when signed) by a key trusted for it. The database cannot check an Ed25519
# signature; the pushing tool and 'records verify' do.
_EVENTS_LINK_3 = f"""
CREATE OR REPLACE FUNCTION {SCHEMA}.events_link() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM {SCHEMA}.device_logins
                   WHERE device_id = NEW.device_id AND login = session_user)
       AND NOT {SCHEMA}.administers() THEN
        RAISE EXCEPTION 'device % is pushed under another login', NEW.device_id
            USING ERRCODE = 'P0001', HINT = 'login';
    END IF;
    IF NEW.signer IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM {SCHEMA}.device_keys WHERE device_id = NEW.device_id
            AND fingerprint = NEW.signer AND trusted_by IS NOT NULL)
       AND NOT {SCHEMA}.administers() THEN
        RAISE EXCEPTION 'event % of device % is signed by key %, not one trusted for it',
            NEW.id, NEW.device_id, NEW.signer USING ERRCODE = 'P0001', HINT = 'key';
    END IF;
    IF NEW.id = 1 THEN
        IF NEW.prev_hash IS DISTINCT FROM '{GENESIS}' THEN
            RAISE EXCEPTION 'event 1 of device % does not start a chain', NEW.device_id
                USING ERRCODE = 'P0001', HINT = 'chain';
        END IF;
    ELSIF NOT EXISTS (SELECT 1 FROM {SCHEMA}.events
                      WHERE device_id = NEW.device_id AND id = NEW.id - 1
                        AND hash = NEW.prev_hash) THEN
        RAISE EXCEPTION 'event % of device % does not continue the chain held here',
            NEW.id, NEW.device_id USING ERRCODE = 'P0001', HINT = 'chain';
    END IF;
    RETURN NEW;
END $$"""

#: Forward migrations: step N takes the central schema from N-1 to N. Append only.
MIGRATIONS: list[tuple[str, ...]] = [
    (
        f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}",
        f"CREATE TABLE {SCHEMA}.meta (key text PRIMARY KEY, value text NOT NULL)",
        f"INSERT INTO {SCHEMA}.meta VALUES ('application', '{APPLICATION}')",
        f"""CREATE TABLE {SCHEMA}.content (
            hash text PRIMARY KEY,
            questionnaire_id text NOT NULL,
            questionnaire_yaml text NOT NULL,
            indicator_set_yaml text NOT NULL,
            extra_json text,
            created_at text NOT NULL
        )""",
        f"""CREATE TABLE {SCHEMA}.records (
            id text PRIMARY KEY,
            device_id text NOT NULL,
            office text,
            version text NOT NULL,
            questionnaire text NOT NULL,
            status text NOT NULL,
            outcome text,
            officer text NOT NULL,
            location text NOT NULL,
            language text NOT NULL,
            started_at text NOT NULL,
            completed_at text,
            level text,
            erased_at text,
            content_hash text NOT NULL,
            consent_share boolean,
            sealed_for text,
            answered integer NOT NULL,
            trail_event bigint,
            body jsonb NOT NULL,
            received_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now()
        )""",
        f"CREATE INDEX records_started ON {SCHEMA}.records (started_at, id)",
        f"CREATE INDEX records_level_page ON {SCHEMA}.records (level, started_at, id)",
        f"CREATE INDEX records_status_page ON {SCHEMA}.records (status, started_at, id)",
        f"CREATE INDEX records_questionnaire_page ON {SCHEMA}.records "
        "(questionnaire, started_at, id)",
        f"CREATE INDEX records_device ON {SCHEMA}.records (device_id)",
        f"""CREATE TABLE {SCHEMA}.events (
            device_id text NOT NULL,
            id bigint NOT NULL,
            record_id text,
            kind text NOT NULL,
            officer text NOT NULL,
            at text NOT NULL,
            detail_json text,
            digest_json text,
            prev_hash text,
            hash text NOT NULL,
            received_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (device_id, id)
        )""",
        f"CREATE INDEX events_record ON {SCHEMA}.events (record_id, device_id, id)",
        _EVENTS_LINK,
        f"CREATE TRIGGER events_link BEFORE INSERT ON {SCHEMA}.events "
        f"FOR EACH ROW EXECUTE FUNCTION {SCHEMA}.events_link()",
        f"""CREATE TABLE {SCHEMA}.pushes (
            id bigserial PRIMARY KEY,
            device_id text NOT NULL,
            office text,
            via text NOT NULL,
            at timestamptz NOT NULL DEFAULT now(),
            events integer NOT NULL,
            added integer NOT NULL,
            updated integer NOT NULL,
            same integer NOT NULL,
            refused integer NOT NULL,
            detail jsonb
        )""",
        f"CREATE INDEX pushes_device ON {SCHEMA}.pushes (device_id, at)",
        f"""CREATE TABLE {SCHEMA}.access (
            id bigserial PRIMARY KEY,
            at text NOT NULL,
            db_user text NOT NULL,
            officer text NOT NULL,
            kind text NOT NULL,
            record_id text,
            detail text,
            prev_hash text NOT NULL,
            hash text NOT NULL
        )""",
        _PUT_RECORD,
        _LOG_ACCESS,
    ),
    (
        # 2: events signed by the device's key (issue 11) and the keys that signed them.
        f"ALTER TABLE {SCHEMA}.events ADD COLUMN signer text",
        f"ALTER TABLE {SCHEMA}.events ADD COLUMN signature text",
        f"""CREATE TABLE {SCHEMA}.device_keys (
            device_id text NOT NULL,
            fingerprint text NOT NULL,
            public_key text NOT NULL,
            first_seen text NOT NULL,
            received_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (device_id, fingerprint)
        )""",
    ),
    (
        # 3: trust (trust.py). A device is bound to the keys that may sign its events (pinned
        # at its first push, or approved by an administrator) and to the logins that may push
        # it (the first one, or approved); keys seen but not trusted stay recorded, untrusted.
        f"ALTER TABLE {SCHEMA}.device_keys ADD COLUMN trusted_by text",
        f"ALTER TABLE {SCHEMA}.device_keys ADD COLUMN trusted_at timestamptz",
        # keys recorded before this schema were taken on first use, unchecked: kept as such
        f"UPDATE {SCHEMA}.device_keys SET trusted_by = 'first push (before schema 3)', "
        "trusted_at = received_at",
        f"""CREATE TABLE {SCHEMA}.device_logins (
            device_id text NOT NULL,
            login text NOT NULL,
            how text NOT NULL,
            at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (device_id, login)
        )""",
        _ADMINISTERS,
        _ADMIT_DEVICE,
        _EVENTS_LINK_3,
        _PUT_RECORD_3,
    ),
]
SCHEMA_VERSION = len(MIGRATIONS)


def grants_sql(push_role: str = PUSH_ROLE, read_role: str = READ_ROLE) -> list[str]:
    """The roles and grants, as statements a database administrator can run by hand."""
    s = SCHEMA
    return [
        f"REVOKE ALL ON SCHEMA {s} FROM PUBLIC",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM PUBLIC",
        f"REVOKE ALL ON ALL FUNCTIONS IN SCHEMA {s} FROM PUBLIC",
        # what an older schema granted and this one does not (inserting keys directly)
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM {push_role}",
        f"GRANT USAGE ON SCHEMA {s} TO {push_role}, {read_role}",
        # push: add, and read only what deduplicates
        f"GRANT SELECT ON {s}.meta TO {push_role}",
        f"GRANT SELECT (id, device_id, version) ON {s}.records TO {push_role}",
        f"GRANT SELECT (device_id, id, hash, signer) ON {s}.events TO {push_role}",
        f"GRANT SELECT (hash) ON {s}.content TO {push_role}",
        # keys and logins are bound only through admit_device (first contact) or by the owner
        f"GRANT INSERT ON {s}.events, {s}.content, {s}.pushes TO {push_role}",
        f"GRANT USAGE ON SEQUENCE {s}.pushes_id_seq TO {push_role}",
        f"GRANT EXECUTE ON FUNCTION {s}.put_record(text, text, text, jsonb) TO {push_role}",
        f"GRANT EXECUTE ON FUNCTION {s}.admit_device(text, jsonb) TO {push_role}",
        # read: everything, and write only the access trail
        f"GRANT SELECT ON ALL TABLES IN SCHEMA {s} TO {read_role}",
        f"GRANT EXECUTE ON FUNCTION {s}.log_access(text, text, text, text) TO {read_role}",
    ]


def _role_statements(push_role: str, read_role: str) -> list[str]:
    return [
        f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN "
        f"CREATE ROLE {role} NOLOGIN; END IF; END $$"
        for role in (push_role, read_role)
    ]


def init_sql() -> str:
    """Everything ``central init`` runs on a new database, for an administrator to read or run."""
    lines = ["BEGIN;"]
    for statements in MIGRATIONS:
        lines += [f"{statement.strip()};" for statement in statements]
    lines.append(
        f"INSERT INTO {SCHEMA}.meta VALUES ('schema_version', '{SCHEMA_VERSION}') "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value;"
    )
    lines += [f"{s};" for s in _role_statements(PUSH_ROLE, READ_ROLE)]
    lines += [f"{s};" for s in grants_sql()]
    lines.append("COMMIT;")
    lines += [
        "-- Then one login per laptop group and per reader, for example:",
        f"--   CREATE ROLE kanim_bengkulu LOGIN PASSWORD '...' IN ROLE {PUSH_ROLE};",
        f"--   CREATE ROLE analyst_pusat LOGIN PASSWORD '...' IN ROLE {READ_ROLE};",
    ]
    return "\n".join(lines) + "\n"


def init(url: str) -> dict[str, Any]:
    """Create or migrate the central schema, the two roles and their grants, in one
    transaction. Returns ``{"from", "to", "roles"}``."""
    from screening.central.connection import driver

    psycopg = driver()
    conn = connect(url, action="set up the central database")
    try:
        with guard(url, "set up the central database"), _privileged(url, psycopg), \
                conn.transaction():
            # One initialiser at a time; a second waits, then finds the work done.
            conn.execute("SELECT pg_advisory_xact_lock(hashtext('screening.central.init'))")
            before = schema_version(conn, url)
            if before > SCHEMA_VERSION:
                raise StoreError(
                    f"The central database {redact(url)} has schema {before}, newer than this "
                    f"version of screening knows ({SCHEMA_VERSION}). Upgrade screening."
                )
            for statements in MIGRATIONS[before:]:
                for statement in statements:
                    conn.execute(statement)
            conn.execute(
                f"INSERT INTO {SCHEMA}.meta VALUES ('schema_version', %s) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [str(SCHEMA_VERSION)],
            )
            for statement in _role_statements(PUSH_ROLE, READ_ROLE) + grants_sql():
                conn.execute(statement)
    finally:
        conn.close()
    return {"from": before, "to": SCHEMA_VERSION, "roles": [PUSH_ROLE, READ_ROLE]}


@contextlib.contextmanager
def _privileged(url: str, psycopg: Any) -> Iterator[None]:
    try:
        yield
    except psycopg.errors.InsufficientPrivilege as exc:
        raise StoreError(
            f"Could not set up the central database {redact(url)}: this user may not create "
            f"the schema or the roles ({str(exc).splitlines()[0]}). Run it as the database's "
            "owner with the right to create roles, or give the output of 'screening central "
            "init URL --print-sql' to the database administrator. Nothing was changed."
        ) from None


def status(url: str) -> dict[str, Any]:
    """Schema version, devices, records, and the last push of each device."""
    from screening.central.connection import require_schema

    conn = connect(url, action="read the central database")
    try:
        with guard(url, "read the central database"):
            version = require_schema(conn, url, SCHEMA_VERSION)
            records, _ = conn.execute(
                f"SELECT count(*), count(DISTINCT device_id) FROM {SCHEMA}.records"
            ).fetchone()
            events = conn.execute(f"SELECT count(*) FROM {SCHEMA}.events").fetchone()[0]
            devices = [
                {
                    "device_id": device,
                    "office": office,
                    "records": int(count or 0),
                    "events": int(n_events or 0),
                    "last_push": last.isoformat() if last is not None else None,
                    "keys": keys or "",
                    "logins": logins or "",
                }
                for device, office, count, n_events, last, keys, logins in conn.execute(
                    f"""WITH d AS (SELECT DISTINCT device_id FROM {SCHEMA}.events
                                   UNION SELECT device_id FROM {SCHEMA}.records
                                   UNION SELECT device_id FROM {SCHEMA}.device_logins)
                    SELECT d.device_id,
                           (SELECT office FROM {SCHEMA}.pushes p WHERE p.device_id = d.device_id
                            ORDER BY at DESC LIMIT 1),
                           (SELECT count(*) FROM {SCHEMA}.records r
                            WHERE r.device_id = d.device_id),
                           (SELECT max(id) FROM {SCHEMA}.events e
                            WHERE e.device_id = d.device_id),
                           (SELECT max(at) FROM {SCHEMA}.pushes p
                            WHERE p.device_id = d.device_id),
                           (SELECT string_agg(fingerprint, ', ' ORDER BY fingerprint)
                            FROM {SCHEMA}.device_keys k
                            WHERE k.device_id = d.device_id AND k.trusted_by IS NOT NULL),
                           (SELECT string_agg(login, ', ' ORDER BY login)
                            FROM {SCHEMA}.device_logins g WHERE g.device_id = d.device_id)
                    FROM d ORDER BY 1"""
                )
            ]
    finally:
        conn.close()
    return {
        "schema_version": version,
        "records": int(records),
        "events": int(events),
        "devices": devices,
        "device_count": len(devices),
    }
