"""The set-based statements of a complaint import batch: staging, duplicates,
upsert with status events. One statement per step per batch."""

from __future__ import annotations

from sqlalchemy import text

from geoapp.event_comments import (
    IMPORT_ACTOR,
    STATUS_AS_EXPORTED,
    STATUS_CHANGED_IN_REIMPORT,
)
from geoapp.ingest.lost_letters import lossy_copy_sql

# The staging table's columns and types, in the order Python writes them. The types
# also serve COPY in binary form: no text to format in Python or parse on the server.
STAGE = (
    ("line", "int4"), ("source", "text"), ("external_id", "text"),
    ("received_at", "timestamptz"), ("category", "text"), ("category_confidence", "float8"),
    ("text", "text"), ("language", "text"), ("address", "text"), ("status", "text"),
    ("resolved_at", "timestamptz"), ("department_name", "text"), ("applicant_name", "text"),
    ("applicant_phone", "text"), ("lon", "float8"), ("lat", "float8"),
    ("geocode_precision", "text"), ("geocode_score", "float8"), ("geocode_note", "text"),
    ("row_note", "text"), ("microdistrict_id", "int4"), ("parcel_id", "int4"),
    ("building_id", "int4"),
)
STAGE_COLUMNS = tuple(name for name, _ in STAGE)
STAGE_TYPES = tuple(kind for _, kind in STAGE)

CREATE_STAGE = text(
    "CREATE TEMP TABLE IF NOT EXISTS stage_complaints ("
    + ", ".join(f"{name} {kind}" for name, kind in STAGE) + ")"
)

TRUNCATE_STAGE = text("TRUNCATE stage_complaints")

# The keys met so far in the file, on the connection that registers them in file order.
CREATE_SEEN_KEYS = text("""
    CREATE TEMP TABLE IF NOT EXISTS import_seen_keys (
        source text, external_id text, line integer, PRIMARY KEY (source, external_id)
    );
    TRUNCATE import_seen_keys;
""")

def probe_by_key(table: str, row: str) -> str:
    """SQL: `table`'s row with the key of `row`, looked up through the unique index.
    As a plain join the planner hashed the batch and read the whole table once per
    batch (for its estimates, a scan beats 25,000 index probes): each batch then cost
    more than the one before (0.22 s of the writer's time per batch at 200,000
    complaints, against 0.12 s for the probes at any size).
    The key is unique; LIMIT 1 only keeps the lookup a probe per row."""
    return (f"SELECT * FROM {table} x WHERE x.source = {row}.source "
            f"AND x.external_id = {row}.external_id LIMIT 1")


# A batch's keys: those already met (earlier in the batch or in an earlier batch) are
# returned as (line, first line); the others are remembered. Binary array parameters
# (array_params), hence psycopg's placeholders.
REGISTER_KEYS = f"""
    WITH batch AS (
        SELECT b.source, b.external_id, b.line,
               first_value(b.line) OVER w AS first_line, row_number() OVER w AS rn
        FROM unnest(CAST(%(source)b AS text[]), CAST(%(external_id)b AS text[]),
                    CAST(%(line)b AS int[])) AS b(source, external_id, line)
        WINDOW w AS (PARTITION BY b.source, b.external_id ORDER BY b.line)
    ),
    met AS (
        SELECT b.line, coalesce(k.line, b.first_line) AS first_line
        FROM batch b LEFT JOIN LATERAL ({probe_by_key("import_seen_keys", "b")}) k ON true
        WHERE b.rn > 1 OR k.line IS NOT NULL
    ),
    remembered AS (
        INSERT INTO import_seen_keys (source, external_id, line)
        SELECT source, external_id, line FROM batch WHERE rn = 1
        ON CONFLICT (source, external_id) DO NOTHING
    )
    SELECT line, first_line FROM met ORDER BY line
"""
_QUOTES = "«»\"“”„'"


def department_key(name: str) -> str:
    """SQL: a department's name as exports vary it ("ГКП «Жылу»", "ГКП  ЖЫЛУ"): case,
    quotes and spacing do not count."""
    quotes = _QUOTES.replace("'", "''")
    return (f"btrim(regexp_replace(lower(translate({name}, '{quotes}', '')), "
            r"'\s+', ' ', 'g'))")


# A department is the first name seen for its key; a new one only when no name has
# that key. In key order: two batches written at once then wait for each other's new
# names in the same order, never in a cycle.
ADD_DEPARTMENTS = text(f"""
    INSERT INTO departments (name)
    SELECT name FROM (
        SELECT DISTINCT ON (key) key, name
        FROM (SELECT {department_key('name')} AS key, name
              FROM (SELECT DISTINCT department_name AS name FROM stage_complaints
                    WHERE department_name IS NOT NULL) distinct_names) named
        ORDER BY key, name
    ) first_named
    WHERE key NOT IN (SELECT {department_key('name')} FROM departments)
      AND NOT EXISTS (SELECT FROM departments d
                      WHERE {lossy_copy_sql('key', department_key('d.name'))})
    ORDER BY key
    ON CONFLICT (name) DO NOTHING
""")
# A department first imported from a copy without Kazakh letters ("АО «QazaqGaz
# Айма?»") takes its name back from the original, rather than a twin being added
# and its complaints moved to the twin.
RESTORE_DEPARTMENT_NAMES = text(f"""
    UPDATE departments d SET name = named.name
    FROM (SELECT DISTINCT ON (key) key, name
          FROM (SELECT {department_key('name')} AS key, name
                FROM (SELECT DISTINCT department_name AS name FROM stage_complaints
                      WHERE department_name IS NOT NULL
                        AND strpos(department_name, '?') = 0) distinct_names) keyed
          ORDER BY key, name) named
    WHERE {lossy_copy_sql(department_key('d.name'), 'named.key')}
      AND NOT EXISTS (SELECT FROM departments e WHERE {department_key('e.name')} = named.key)
""")
# Each key's department: the oldest of those with that key.
_DEPARTMENTS_BY_KEY = (f"(SELECT DISTINCT ON (key) key, id FROM (SELECT "
                       f"{department_key('name')} AS key, id FROM departments) k "
                       "ORDER BY key, id)")

# A re-import takes a field from the export only when the source changed it since its
# previous export (exported_*; NULL: the current values stand for what it said). A
# status or department an official set in geoapp since then stays; the source's own
# later change wins over it. Status and resolution time go together. `{c}` is the
# stored complaint's table name or alias.
def _exported_before(c: str) -> dict[str, str]:
    return {
        "status": f"coalesce({c}.exported_status, {c}.status)",
        "resolved_at": f"""CASE WHEN {c}.exported_status IS NULL THEN {c}.resolved_at
                               ELSE {c}.exported_resolved_at END""",
        "department_id": f"""CASE WHEN {c}.exported_status IS NULL THEN {c}.department_id
                                 ELSE {c}.exported_department_id END""",
    }


_BEFORE = _exported_before("complaints")
STATUS_MOVED = (f"((EXCLUDED.status, EXCLUDED.resolved_at) IS DISTINCT FROM "
                f"({_BEFORE['status']}, {_BEFORE['resolved_at']}))")
DEPARTMENT_MOVED = f"(EXCLUDED.department_id IS DISTINCT FROM {_BEFORE['department_id']})"
# An export without a status or department (no such column, or an empty cell) says
# nothing about it: a stored complaint keeps what the source said last time.
_STORED = _exported_before("c")

# A stored complaint under the same key but received on another day, or whose text
# starts otherwise, is another complaint: the key was reused (a row number taken for
# the complaint's number, say). Such a row is left out and reported, never merged.
# A copy saved without Kazakh letters ("?айырлы к?н") starts as its original does.
_TEXT_START = "left(btrim(lower(regexp_replace(left({}, 80), '\\s+', ' ', 'g'))), 40)"
_STORED_START, _ROW_START = _TEXT_START.format("c.text"), _TEXT_START.format("s.text")
KEY_TAKEN = (
    "(abs(extract(epoch FROM c.received_at - s.received_at)) >= 86400"
    f" OR NOT ({_ROW_START} = {_STORED_START} OR {lossy_copy_sql(_ROW_START, _STORED_START)}"
    f" OR {lossy_copy_sql(_STORED_START, _ROW_START)}))"
)

# Where a complaint is, as its address and the import's geocoding left it. A
# re-import places a stored complaint anew when this changed: the source corrected
# the address, or the register now knows a house it did not (complaints imported
# before their buildings layer). Never off the map, never away from the complaint's
# own point: a row the import could not locate, or one without coordinates (another
# report of the same source may lack those columns), says nothing of them.
PLACE_COLUMNS = ("address", "geocode_precision", "geocode_score", "geocode_note",
                 "microdistrict_id", "parcel_id", "building_id")


def place_moved(new: str, new_geom: str, old: str) -> str:
    """SQL: the row `new` (its point `new_geom`) places the complaint `old` anew. An
    address that is the stored one with letters lost to '?' (lost_letters) says
    nothing new: the geocoder would only read it worse."""
    def place(row: str, geom: str) -> str:
        return f"({geom}, {', '.join(f'{row}.{c}' for c in PLACE_COLUMNS)})"
    lossy = lossy_copy_sql(f"{new}.address", f"{old}.address")
    return (f"({new}.geocode_precision <> 'none' AND ({old}.geocode_precision <> "
            f"'coordinates' OR {new}.geocode_precision = 'coordinates') AND "
            f"{place(new, new_geom)} IS DISTINCT FROM {place(old, f'{old}.geom')} AND "
            f"NOT coalesce({lossy}, false))")


# What the source wrote stays as it was first imported, unless that was a copy with
# letters lost to '?' (lost_letters) and this is its original.
RESTORABLE_COLUMNS = ("text", "applicant_name")


def restored(column: str) -> str:
    """SQL: the stored `column` is a lossy copy of the row's."""
    stored, row = f"complaints.{column}", f"EXCLUDED.{column}"
    return f"coalesce({stored} <> {row} AND {lossy_copy_sql(stored, row)}, false)"


RESTORED = " OR ".join(map(restored, RESTORABLE_COLUMNS))
_STAGED_POINT = "ST_SetSRID(ST_MakePoint(s.lon, s.lat), 4326)"
PLACE_MOVED = place_moved("EXCLUDED", "EXCLUDED.geom", "complaints")

# The staged rows come with their places found (places.find_places_sql).
UPSERT = text(f"""
    WITH stored AS MATERIALIZED (
        SELECT s.line, c.id, c.status, c.received_at,
               {_STORED['status']} AS status_before,
               {_STORED['resolved_at']} AS resolved_before,
               {_STORED['department_id']} AS department_before,
               {KEY_TAKEN} AS key_taken,
               {place_moved("s", _STAGED_POINT, "c")} AS place_moved
        FROM stage_complaints s
        CROSS JOIN LATERAL ({probe_by_key("complaints", "s")}) c
    ),
    named AS (  -- each name's department, the key computed once per distinct name
        SELECT n.name, d.id
        FROM (SELECT name, {department_key('name')} AS key
              FROM (SELECT DISTINCT department_name AS name FROM stage_complaints
                    WHERE department_name IS NOT NULL) distinct_names) n
        CROSS JOIN LATERAL (
            SELECT d.id FROM {_DEPARTMENTS_BY_KEY} d
            WHERE d.key = n.key OR {lossy_copy_sql('n.key', 'd.key')}
            ORDER BY d.key = n.key DESC, d.id LIMIT 1
        ) d
    ),
    assigned AS (
        SELECT s.source, s.external_id, s.received_at, s.category, s.category_confidence,
               s.text, s.language, s.address, s.applicant_name, s.applicant_phone,
               s.geocode_precision, s.geocode_score, s.geocode_note, s.row_note,
               s.microdistrict_id, s.parcel_id, s.building_id,
               {_STAGED_POINT} AS geom,
               coalesce(s.status, st.status_before, 'received') AS status,
               CASE WHEN s.status IS NULL AND st.id IS NOT NULL THEN st.resolved_before
                    ELSE s.resolved_at END AS resolved_at,
               CASE WHEN s.department_name IS NULL AND st.id IS NOT NULL
                    THEN st.department_before ELSE n.id END AS department_id
        FROM stage_complaints s
        LEFT JOIN named n ON n.name = s.department_name
        LEFT JOIN stored st ON st.line = s.line
        WHERE st.key_taken IS NOT TRUE
    ),
    up AS (
        INSERT INTO complaints (
            source, external_id, received_at, category, category_confidence, text, language,
            address, status, resolved_at, department_id, applicant_name, applicant_phone,
            geom, geocode_precision, geocode_score, geocode_note, row_note, microdistrict_id,
            building_id, parcel_id, import_batch_id, exported_status, exported_resolved_at,
            exported_department_id
        )
        SELECT source, external_id, received_at, category, category_confidence, text,
               language, address, status, resolved_at, department_id, applicant_name,
               applicant_phone, geom, geocode_precision, geocode_score, geocode_note,
               row_note, microdistrict_id, building_id, parcel_id, :batch_id, status, resolved_at,
               department_id
        FROM assigned
        ON CONFLICT (source, external_id) DO UPDATE SET
            status = CASE WHEN {STATUS_MOVED} THEN EXCLUDED.status
                          ELSE complaints.status END,
            resolved_at = CASE WHEN {STATUS_MOVED} THEN EXCLUDED.resolved_at
                               ELSE complaints.resolved_at END,
            -- as the workflow does: a reason belongs to a rejection only
            reject_reason = CASE WHEN {STATUS_MOVED} AND EXCLUDED.status <> 'rejected'
                                 THEN NULL ELSE complaints.reject_reason END,
            department_id = CASE WHEN {DEPARTMENT_MOVED} THEN EXCLUDED.department_id
                                 ELSE complaints.department_id END,
            {", ".join(f"{c} = CASE WHEN {PLACE_MOVED} THEN EXCLUDED.{c} ELSE complaints.{c} END"
                       for c in ("geom", *PLACE_COLUMNS, "row_note"))},
            {", ".join(f"{c} = CASE WHEN {restored(c)} THEN EXCLUDED.{c} ELSE complaints.{c} END"
                       for c in RESTORABLE_COLUMNS)},
            -- a category the classifier read from the copy is read again from the original
            {", ".join(f"{c} = CASE WHEN {restored('text')} THEN EXCLUDED.{c} "
                       f"ELSE complaints.{c} END" for c in ("category", "category_confidence"))},
            exported_status = EXCLUDED.status,
            exported_resolved_at = EXCLUDED.resolved_at,
            exported_department_id = EXCLUDED.department_id,
            import_batch_id = EXCLUDED.import_batch_id,
            -- what an official works on: a new place alone is no edit to conflict with
            version = complaints.version
                      + CASE WHEN {STATUS_MOVED} OR {DEPARTMENT_MOVED} THEN 1 ELSE 0 END,
            updated_at = now()
        WHERE {STATUS_MOVED} OR {DEPARTMENT_MOVED} OR {PLACE_MOVED} OR {RESTORED}
        RETURNING id, status, received_at, resolved_at, department_id, (xmax = 0) AS inserted
    ),
    events AS (
        INSERT INTO complaint_events (complaint_id, at, from_status, to_status, actor,
                                      comment, department_id)
        SELECT id, received_at, NULL, 'received', '{IMPORT_ACTOR}', NULL, NULL
        FROM up WHERE inserted
        UNION ALL
        SELECT id, coalesce(resolved_at, received_at), 'received', status, '{IMPORT_ACTOR}',
               '{STATUS_AS_EXPORTED}', department_id
        FROM up WHERE inserted AND status <> 'received'
        UNION ALL
        SELECT up.id,
               CASE WHEN up.status = 'resolved' AND up.resolved_at IS NOT NULL
                    THEN up.resolved_at ELSE now() END,
               st.status, up.status, '{IMPORT_ACTOR}', '{STATUS_CHANGED_IN_REIMPORT}',
               up.department_id
        FROM up JOIN stored st ON st.id = up.id
        WHERE NOT up.inserted AND st.status IS DISTINCT FROM up.status
        RETURNING 1
    ),
    taken AS (
        SELECT coalesce(array_agg(line ORDER BY line), '{{}}') AS lines,
               coalesce(array_agg(received_at ORDER BY line), '{{}}') AS received
        FROM stored WHERE key_taken
    )
    SELECT count(*) FILTER (WHERE inserted) AS inserted,
           count(*) FILTER (WHERE NOT inserted) AS updated,
           count(*) FILTER (WHERE id IN (SELECT id FROM stored WHERE place_moved))
               AS relocated,
           (SELECT count(*) FROM events) AS events,
           (SELECT lines FROM taken) AS taken_lines,
           (SELECT received FROM taken) AS taken_received
    FROM up
""")

START_BATCH = text("""
    INSERT INTO import_batches (kind, source_file, source, imported_by)
    VALUES ('complaints', :file, :source, :imported_by)
    RETURNING id
""")
FINISH_BATCH = text("""
    UPDATE import_batches SET status = :status, finished_at = now(),
           summary = CAST(:summary AS jsonb)
    WHERE id = :id
""")
