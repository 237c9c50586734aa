"""Inserts for hot paths, where every round trip to the database and every bit of the
ORM's save() machinery counts. Both skip signals, as bulk_create does; field defaults and
auto_now_add apply as in save()."""

from django.db import connections, router


def insert_unless_exists(instance) -> bool:
    """Insert `instance` unless a unique constraint already holds a row like it.

    One statement, `INSERT ... ON CONFLICT DO NOTHING RETURNING id` (PostgreSQL, and SQLite
    from 3.35), instead of a savepoint, an insert that may fail and a rollback to the
    savepoint: safe inside a transaction under any concurrency, since a conflict is not an
    error. Returns True and sets the primary key when the row was inserted; False when it
    already existed (the caller reads the existing row).
    """
    return _insert(instance, on_conflict="ON CONFLICT DO NOTHING")


def insert_row(instance) -> None:
    """Insert `instance` and set its primary key: one plain INSERT, for rows such as a
    journal entry that no constraint can refuse, at a fraction of save()'s cost."""
    _insert(instance, on_conflict="")


def _insert(instance, *, on_conflict: str) -> bool:
    meta = instance._meta
    connection = connections[router.db_for_write(type(instance), instance=instance)]
    quote = connection.ops.quote_name
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    values = [
        field.get_db_prep_save(field.pre_save(instance, add=True), connection=connection)
        for field in fields
    ]
    # Only quoted names from the model go into the text; every value is a parameter.
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) {on_conflict} "  # noqa: S608
    sql += f"RETURNING {pk}"
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    instance.pk = row[0]
    instance._state.adding = False
    instance._state.db = connection.alias
    return True
