"""Foreign keys checked once per statement instead of once per row, for the few PostgreSQL tables that
take a million rows in one import.

PostgreSQL checks a foreign key with one trigger call per written row: for a million order lines with
six links that is six million lookups, 23 of the 60 seconds a million-line import took on this
machine's two cores. These triggers check the same rule for the whole statement at once, against the
rows it wrote (``REFERENCING NEW TABLE``), with one scan and one index probe per distinct value:

- **Writing the referencing table** (insert, or an update that changes a link): every non-null value
  must be the ``id`` of a row of the referenced table. The referenced rows are locked ``FOR KEY SHARE``
  until the transaction ends, exactly as PostgreSQL's own check does, so no one can delete them before
  the new rows are committed. Rows that this transaction itself inserted or updated need no lock: no
  other transaction can delete them before this one ends (they are invisible, or already locked by us).
- **Deleting, re-keying or truncating the referenced table**: refused while a row still points to it
  (``NO ACTION``). The model's ``on_delete`` keeps working as before: Django sets to NULL, cascades or
  protects before it deletes, as it does with database foreign keys.

Violations raise SQLSTATE 23503 (``foreign_key_violation``) with PostgreSQL's own wording, so the
driver raises ``IntegrityError`` as for any foreign key. Checks are immediate (end of statement), not
deferred to commit. The triggers are installed by migrations (``statement_fks_install``), which drop the
native constraints they replace; SQLite keeps its native foreign keys, which it checks cheaply.

The models keep ``db_constraint=True``: the link *is* constrained in the database. A later migration
altering one of these fields would add a native constraint back (correct, only slower again);
``tests/core/test_statement_fks.py`` fails when that happens.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class StatementForeignKey:
    """``table.column`` references ``parent.id``, checked per statement (PostgreSQL)."""

    table: str
    column: str
    parent: str


# The two trigger functions take their links as arguments, so one function serves every table.
FUNCTIONS_SQL = r"""
CREATE OR REPLACE FUNCTION liveops_fk_check() RETURNS trigger LANGUAGE plpgsql AS $fn$
-- Arguments: (column, referenced table) pairs of the table the trigger is on.
DECLARE
    pairs int := TG_NARGS / 2;
    picks text[] := '{}';
    found text[];
    keys bigint[];
    own bigint;
    others bigint[];
    locked bigint;
    missing bigint;
    col text;
    parent text;
BEGIN
    -- The distinct values written to each column, all columns in one scan of the statement's rows;
    -- for an update, only values that changed (as PostgreSQL's own check skips unchanged keys).
    FOR i IN 0 .. pairs - 1 LOOP
        col := TG_ARGV[2 * i];
        IF TG_OP = 'UPDATE' THEN
            picks := picks || format(
                '(array_agg(DISTINCT n.%1$I) FILTER (WHERE n.%1$I IS NOT NULL AND n.%1$I IS DISTINCT FROM o.%1$I))::text',
                col);
        ELSE
            picks := picks || format('(array_agg(DISTINCT n.%1$I) FILTER (WHERE n.%1$I IS NOT NULL))::text', col);
        END IF;
    END LOOP;
    IF TG_OP = 'UPDATE' THEN
        EXECUTE format('SELECT ARRAY[%s] FROM new_rows n JOIN old_rows o ON o.id = n.id', array_to_string(picks, ', '))
            INTO found;
    ELSE
        EXECUTE format('SELECT ARRAY[%s] FROM new_rows n', array_to_string(picks, ', ')) INTO found;
    END IF;

    FOR i IN 0 .. pairs - 1 LOOP
        col := TG_ARGV[2 * i];
        parent := TG_ARGV[2 * i + 1];
        keys := found[i + 1]::bigint[];
        CONTINUE WHEN keys IS NULL;
        -- Rows this transaction wrote (its own xid) need no lock: nobody else can delete them before
        -- it ends. The others are locked as PostgreSQL's own check locks them, until it ends.
        EXECUTE format(
            'SELECT count(*), array_agg(p.id) FILTER (WHERE p.xmin <> pg_current_xact_id()::xid) '
            'FROM %I p WHERE p.id = ANY($1)', parent)
            INTO own, others USING keys;
        locked := 0;
        IF others IS NOT NULL THEN
            EXECUTE format(
                'SELECT count(*) FROM (SELECT 1 FROM %I p WHERE p.id = ANY($1) FOR KEY SHARE OF p) l', parent)
                INTO locked USING others;
            own := own - cardinality(others);
        END IF;
        IF own + locked < cardinality(keys) THEN
            EXECUTE format('SELECT k FROM unnest($1) k WHERE NOT EXISTS (SELECT 1 FROM %I p WHERE p.id = k) LIMIT 1',
                           parent)
                INTO missing USING keys;
            RAISE EXCEPTION 'insert or update on table "%" violates foreign key on "%"', TG_TABLE_NAME, col
                USING ERRCODE = 'foreign_key_violation',
                      DETAIL = format('Key (%s)=(%s) is not present in table "%s".', col, missing, parent),
                      TABLE = TG_TABLE_NAME, COLUMN = col;
        END IF;
    END LOOP;
    RETURN NULL;
END
$fn$;

CREATE OR REPLACE FUNCTION liveops_fk_protect() RETURNS trigger LANGUAGE plpgsql AS $fn$
-- Arguments: (referencing table, column) pairs pointing at the table the trigger is on.
DECLARE
    pairs int := TG_NARGS / 2;
    gone bigint[];
    still bigint;
    child text;
    col text;
BEGIN
    IF TG_OP = 'DELETE' THEN
        SELECT array_agg(o.id) INTO gone FROM old_rows o;
    ELSIF TG_OP = 'UPDATE' THEN
        -- Only a changed primary key can leave references behind.
        SELECT array_agg(o.id) INTO gone FROM old_rows o WHERE NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.id = o.id);
    END IF;
    IF TG_OP <> 'TRUNCATE' AND gone IS NULL THEN
        RETURN NULL;
    END IF;
    FOR i IN 0 .. pairs - 1 LOOP
        child := TG_ARGV[2 * i];
        col := TG_ARGV[2 * i + 1];
        IF TG_OP = 'TRUNCATE' THEN
            EXECUTE format('SELECT c.%1$I FROM %2$I c WHERE c.%1$I IS NOT NULL LIMIT 1', col, child) INTO still;
        ELSE
            -- Counted, not "LIMIT 1": a delete that is allowed has no references to find, so every
            -- plan must look at all of them. Under a LIMIT the planner expects an early hit and may
            -- take a nested loop over the whole child table per key (25,000 orders: 118 s, not 0.1 s).
            EXECUTE format('SELECT count(*) FROM %2$I c WHERE c.%1$I IN (SELECT unnest($1))', col, child)
                INTO still USING gone;
            IF still > 0 THEN
                EXECUTE format('SELECT c.%1$I FROM %2$I c WHERE c.%1$I = ANY($1) LIMIT 1', col, child)
                    INTO still USING gone;
            ELSE
                still := NULL;
            END IF;
        END IF;
        IF still IS NOT NULL THEN
            RAISE EXCEPTION 'update or delete on table "%" violates foreign key on "%.%"', TG_TABLE_NAME, child, col
                USING ERRCODE = 'foreign_key_violation',
                      DETAIL = format('Key (id)=(%s) is still referenced from table "%s".', still, child),
                      TABLE = TG_TABLE_NAME;
        END IF;
    END LOOP;
    RETURN NULL;
END
$fn$;
"""

# Trigger names, one set per table (a table may be both referencing and referenced).
CHILD_TRIGGERS = ("liveops_fk_insert", "liveops_fk_update")
PARENT_TRIGGERS = ("liveops_fk_parent_delete", "liveops_fk_parent_update", "liveops_fk_parent_truncate")


def _args(pairs: Iterable[tuple[str, str]]) -> str:
    return ", ".join(f"'{a}', '{b}'" for a, b in pairs)


def _native_fk_names(cursor, fk: StatementForeignKey) -> list[str]:
    cursor.execute(
        """
        SELECT c.conname FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
        WHERE c.contype = 'f' AND c.conrelid = %s::regclass AND c.confrelid = %s::regclass
          AND a.attname = %s AND cardinality(c.conkey) = 1
        """,
        [fk.table, fk.parent, fk.column],
    )
    return [row[0] for row in cursor.fetchall()]


def statement_fks_install(schema_editor, fks: Sequence[StatementForeignKey]) -> None:
    """Replace the native foreign keys ``fks`` by statement triggers (PostgreSQL; elsewhere nothing).

    Installs the triggers for every table named in ``fks`` with the full list of its links, so call it
    with all the statement-checked links of those tables."""
    if schema_editor.connection.vendor != "postgresql":
        return
    # No parameters: the functions' ``format`` patterns (%1$I) must reach the server as written.
    schema_editor.execute(FUNCTIONS_SQL, params=None)
    children: dict[str, list[tuple[str, str]]] = defaultdict(list)
    parents: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for fk in fks:
        children[fk.table].append((fk.column, fk.parent))
        parents[fk.parent].append((fk.table, fk.column))
    with schema_editor.connection.cursor() as cursor:
        for fk in fks:
            for name in _native_fk_names(cursor, fk):
                schema_editor.execute(f'ALTER TABLE "{fk.table}" DROP CONSTRAINT "{name}"')
    for table, pairs in children.items():
        for event, name in zip(("INSERT", "UPDATE"), CHILD_TRIGGERS, strict=True):
            refs = "NEW TABLE AS new_rows" + (" OLD TABLE AS old_rows" if event == "UPDATE" else "")
            schema_editor.execute(f'DROP TRIGGER IF EXISTS {name} ON "{table}"')
            schema_editor.execute(
                f'CREATE TRIGGER {name} AFTER {event} ON "{table}" REFERENCING {refs} '
                f"FOR EACH STATEMENT EXECUTE FUNCTION liveops_fk_check({_args(pairs)})"
            )
    for parent, pairs in parents.items():
        for event, name in zip(("DELETE", "UPDATE", "TRUNCATE"), PARENT_TRIGGERS, strict=True):
            refs = {
                "DELETE": "REFERENCING OLD TABLE AS old_rows",
                "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
                "TRUNCATE": "",
            }[event]
            schema_editor.execute(f'DROP TRIGGER IF EXISTS {name} ON "{parent}"')
            schema_editor.execute(
                f'CREATE TRIGGER {name} AFTER {event} ON "{parent}" {refs} '
                f"FOR EACH STATEMENT EXECUTE FUNCTION liveops_fk_protect({_args(pairs)})"
            )


def statement_fks_uninstall(schema_editor, fks: Sequence[StatementForeignKey]) -> None:
    """Undo ``statement_fks_install``: drop the triggers, put the native foreign keys back."""
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in {fk.table for fk in fks}:
        for name in CHILD_TRIGGERS:
            schema_editor.execute(f'DROP TRIGGER IF EXISTS {name} ON "{table}"')
    for parent in {fk.parent for fk in fks}:
        for name in PARENT_TRIGGERS:
            schema_editor.execute(f'DROP TRIGGER IF EXISTS {name} ON "{parent}"')
    for fk in fks:
        schema_editor.execute(
            f'ALTER TABLE "{fk.table}" ADD CONSTRAINT "{fk.table}_{fk.column}_fk" FOREIGN KEY ("{fk.column}") '
            f'REFERENCES "{fk.parent}" ("id") DEFERRABLE INITIALLY DEFERRED'
        )
