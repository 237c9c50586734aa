"""Writing many generated rows fast, for manage.py seed_load (and anything else that fills a
database with generated data): PostgreSQL's COPY when the database is PostgreSQL, one
executemany INSERT per batch elsewhere (SQLite, in the tests).

Rows are plain tuples in the order of the fields named, so a generator can stream a
million of them without building a model instance each (save() and bulk_create() cost
far more per row than producing the data). Every value is written as given, including
auto_now_add fields, because generated history needs its own times; a concrete field not
named gets now if it is auto_now or auto_now_add, else what Model() would give it (its
default, "" for text, else NULL), so a field added to a model later with a default does
not break the generator.

Primary keys: a caller that needs them (to point other rows at these) reserves a block
with ids() and writes them itself; on PostgreSQL the table is locked against other
writers for the rest of the transaction and the sequence moved past the block first, so
nothing else can be handed an id in it. A caller that does not need them leaves them to
the database.
"""

from collections.abc import Iterable, Sequence
from itertools import islice

from django.db import connections
from django.db.models import JSONField
from django.utils import timezone

BATCH = 5_000  # rows a statement, away from PostgreSQL


class RowWriter:
    """Writes rows of models on one database connection and counts them per model.
    Use inside a transaction (transaction.atomic): PostgreSQL's table locks and reserved
    ids hold until it ends."""

    def __init__(self, using: str = "default"):
        self.connection = connections[using]
        self.copies = self.connection.vendor == "postgresql"
        self.written: dict[str, int] = {}
        self._next_id: dict[type, int] = {}

    def ids(self, model, count: int) -> range:
        """`count` primary keys of `model` that nothing else will use: the caller writes
        rows with them. Consecutive, above every id the table has or has handed out."""
        if count <= 0:
            return range(0)
        start = self._next_id.get(model)
        if start is None:
            start = self._first_free_id(model)
        self._next_id[model] = start + count
        if self.copies:
            self._sequence_past(model, start + count - 1)
        return range(start, start + count)

    def write(
        self, model, fields: Sequence[str], rows: Iterable[tuple], *, rebuild_indexes=False
    ) -> int:
        """Write `rows` (tuples of values for `fields`, named as on the model or by their
        attname: "petition" or "petition_id") to `model`'s table; returns how many. `rows`
        may be a generator, but one that makes no query: on PostgreSQL the connection is
        busy with the COPY until the last row (reserve ids() before, not inside it).

        rebuild_indexes (PostgreSQL only), for a table getting many rows at once: its
        indexes that back no constraint are dropped before the COPY and built again after
        it, from their own definitions, which is several times faster than keeping a
        dozen of them up to date row by row. The table is then locked against readers too
        until the transaction ends."""
        named = [model._meta.get_field(name) for name in fields]
        rest = [
            field
            for field in model._meta.concrete_fields
            if field not in named and not field.primary_key
        ]
        columns = named + rest
        fixed = tuple(_default(field) for field in rest)
        if self.copies:
            dropped = self._indexes_drop(model) if rebuild_indexes else []
            count = self._copy(model, named, columns, fixed, rows)
            self._indexes_create(dropped)
        else:
            count = self._insert(model, named, columns, fixed, rows)
        label = model._meta.label
        self.written[label] = self.written.get(label, 0) + count
        return count

    # PostgreSQL ------------------------------------------------------------------------

    def _copy(self, model, named, columns, fixed, rows) -> int:
        from psycopg.types.json import Jsonb

        quote = self.connection.ops.quote_name
        sql = (
            f"COPY {quote(model._meta.db_table)} "
            f"({', '.join(quote(field.column) for field in columns)}) FROM STDIN"
        )
        fixed = tuple(
            Jsonb(value) if isinstance(field, JSONField) else value
            for field, value in zip(columns[len(named) :], fixed, strict=True)
        )
        json_at = [i for i, field in enumerate(named) if isinstance(field, JSONField)]
        count = 0
        with self.connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                if json_at:
                    row = list(row)
                    for i in json_at:
                        row[i] = Jsonb(row[i])
                copy.write_row((*row, *fixed))
                count += 1
        return count

    def _indexes_drop(self, model) -> list[str]:
        """Drop the table's indexes that no constraint owns (the primary key and unique
        constraints stay and keep checking); their definitions, to build them again."""
        with self.connection.cursor() as cursor:
            # Checks already pending (a deletion's, which look for rows pointing at what
            # was deleted, through these very indexes) run now, while the indexes exist.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute(
                "SELECT x.indexrelid::regclass::text, pg_get_indexdef(x.indexrelid) "
                "FROM pg_index x WHERE x.indrelid = %s::regclass AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
                [self.connection.ops.quote_name(model._meta.db_table)],
            )
            found = cursor.fetchall()
            for name, _ in found:
                cursor.execute(f"DROP INDEX {name}")  # as PostgreSQL names it, quoted
        return [definition for _, definition in found]

    def _indexes_create(self, definitions: list[str]) -> None:
        if not definitions:
            return
        with self.connection.cursor() as cursor:
            # The new rows' foreign key checks, deferred to the commit, must run first:
            # PostgreSQL builds no index on a table with checks pending. Deferred after.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for definition in definitions:
                cursor.execute(definition)
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    def _first_free_id(self, model) -> int:
        table = self.connection.ops.quote_name(model._meta.db_table)
        pk = self.connection.ops.quote_name(model._meta.pk.column)
        with self.connection.cursor() as cursor:
            if self.copies:
                # Other writers wait until this transaction ends; readers do not.
                cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
                sql = (
                    "SELECT GREATEST(nextval(pg_get_serial_sequence(%s, %s)), "  # noqa: S608
                    f"(SELECT COALESCE(MAX({pk}), 0) + 1 FROM {table}))"
                )
                cursor.execute(sql, [model._meta.db_table, model._meta.pk.column])
            else:
                cursor.execute(f"SELECT COALESCE(MAX({pk}), 0) + 1 FROM {table}")  # noqa: S608
            return cursor.fetchone()[0]

    def _sequence_past(self, model, last: int) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, %s), %s)",
                [model._meta.db_table, model._meta.pk.column, last],
            )

    # Elsewhere -------------------------------------------------------------------------

    def _insert(self, model, named, columns, fixed, rows) -> int:
        connection = self.connection
        quote = connection.ops.quote_name
        sql = (
            f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608 (quoted model names)
            f"({', '.join(quote(field.column) for field in columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})"
        )
        fixed = [
            field.get_db_prep_save(value, connection=connection)
            for field, value in zip(columns[len(named) :], fixed, strict=True)
        ]
        count = 0
        rows = iter(rows)
        with connection.cursor() as cursor:
            while batch := list(islice(rows, BATCH)):
                cursor.executemany(
                    sql,
                    [
                        [
                            *(
                                field.get_db_prep_save(value, connection=connection)
                                for field, value in zip(named, row, strict=True)
                            ),
                            *fixed,
                        ]
                        for row in batch
                    ],
                )
                count += len(batch)
        return count


def _default(field):
    """What a field not written gets: now for auto_now(_add), else what Model() would
    give it (its default, "" for text, else NULL; the database refuses a NULL where a
    value is required, which names the field to add)."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return timezone.now()
    return field.get_default()
