"""Inserts for hot paths, where every round trip to the database and every bit of the
ORM's save() machinery counts. They skip signals, as bulk_create does; field defaults and
auto_now_add apply as in save()."""

from django.db import connections, router


def insert_unless_exists(instance, *, then=None) -> bool:
    """Insert `instance` unless a unique constraint already holds a row like it, and only
    if it was inserted, `then` as well (a row that goes with it, such as a journal entry).

    `INSERT ... ON CONFLICT DO NOTHING RETURNING id` (PostgreSQL, and SQLite from 3.35)
    instead of a savepoint, an insert that may fail and a rollback to the savepoint: safe
    inside a transaction under any concurrency, since a conflict is not an error. On
    PostgreSQL both rows go in one statement (a data-modifying WITH), so they are stored
    together or not at all; elsewhere in two, which the caller's transaction holds
    together. Returns True and sets the primary key(s) when `instance` was inserted;
    False when it already existed (the caller reads the existing row).
    """
    connection = connections[router.db_for_write(type(instance), instance=instance)]
    table, columns, values, pk = _insert_parts(instance, connection)
    first = f"INSERT INTO {table} ({columns}) VALUES ({_marks(values)}) ON CONFLICT DO NOTHING"
    first += f" RETURNING {pk}"
    if then is not None and connection.vendor == "postgresql":
        then_table, then_columns, then_values, then_pk = _insert_parts(then, connection)
        sql = (
            f"WITH new_row AS ({first}), new_then AS (INSERT INTO {then_table} ({then_columns}) "
            f"SELECT {_marks(then_values)} WHERE EXISTS (SELECT 1 FROM new_row) "
            f"RETURNING {then_pk}) "
            f"SELECT (SELECT {pk} FROM new_row), (SELECT {then_pk} FROM new_then)"
        )
        row = _fetch(connection, sql, values + then_values)
        if row[0] is None:
            return False
        _saved(instance, row[0], connection)
        _saved(then, row[1], connection)
        return True
    row = _fetch(connection, first, values)
    if row is None:
        return False
    _saved(instance, row[0], connection)
    if then is not None:
        insert_row(then)
    return True


def insert_row(instance) -> None:
    """Insert `instance` and set its primary key: one plain INSERT, for rows such as a
    journal entry that no constraint can refuse, at a fraction of save()'s cost."""
    connection = connections[router.db_for_write(type(instance), instance=instance)]
    table, columns, values, pk = _insert_parts(instance, connection)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({_marks(values)}) RETURNING {pk}"
    _saved(instance, _fetch(connection, sql, values)[0], connection)


def _insert_parts(instance, connection) -> tuple[str, str, list, str]:
    """Quoted table, column list and primary key of `instance`, and its values prepared
    for the database. Only quoted names from the model go into SQL text; every value is
    a parameter."""
    meta = instance._meta
    quote = connection.ops.quote_name
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    values = [
        field.get_db_prep_save(field.pre_save(instance, add=True), connection=connection)
        for field in fields
    ]
    columns = ", ".join(quote(field.column) for field in fields)
    return quote(meta.db_table), columns, values, quote(meta.pk.column)


def _marks(values: list) -> str:
    return ", ".join(["%s"] * len(values))


def _fetch(connection, sql, values):
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        return cursor.fetchone()


def _saved(instance, pk, connection) -> None:
    instance.pk = pk
    instance._state.adding = False
    instance._state.db = connection.alias
