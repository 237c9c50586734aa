"""Inserts for hot paths, where every round trip to the database and every bit of the
ORM's save() machinery counts. They skip signals, as bulk_create does; field defaults and
auto_now_add apply as in save(). Fields whose value the database computes (db_default,
GeneratedField) are refused with UnpreparableField rather than written wrongly."""

import functools
import string
from dataclasses import dataclass

from django.db import connections, router


def insert_unless_exists(instance, *, then=None) -> bool:
    """Insert `instance` unless a unique constraint already holds a row like it, and only
    if it was inserted, `then` as well (a row that goes with it, such as a journal entry).

    `INSERT ... ON CONFLICT DO NOTHING RETURNING id` (PostgreSQL, and SQLite from 3.35)
    instead of a savepoint, an insert that may fail and a rollback to the savepoint: safe
    inside a transaction under any concurrency, since a conflict is not an error. `then`
    is a second plain INSERT; the caller's transaction holds the two together. Returns
    True and sets the primary key(s) when `instance` was inserted; False when it already
    existed (the caller reads the existing row).
    """
    connection = connections[router.db_for_write(type(instance), instance=instance)]
    plan = _insert_plan(type(instance), connection.alias)
    row = _fetch(connection, plan.sql_unless_exists, plan.values(instance, connection))
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
    plan = _insert_plan(type(instance), connection.alias)
    _saved(instance, _fetch(connection, plan.sql, plan.values(instance, connection))[0], connection)


class UnpreparableField(TypeError):
    """A model field whose value the database computes, which these inserts cannot write."""


@dataclass(frozen=True)
class _InsertPlan:
    """A model's INSERT statements, built once per model and database: only quoted names
    from the model's _meta go into SQL text; every value is a parameter."""

    fields: tuple
    sql: str
    sql_unless_exists: str

    def values(self, instance, connection) -> list:
        """`instance`'s values prepared for the database, with defaults and auto_now_add
        applied as save() applies them."""
        return [
            field.get_db_prep_save(field.pre_save(instance, add=True), connection=connection)
            for field in self.fields
        ]


@functools.cache
def _insert_plan(model, alias: str) -> _InsertPlan:
    meta = model._meta
    quote = connections[alias].ops.quote_name
    fields = tuple(field for field in meta.concrete_fields if not field.primary_key)
    for field in fields:
        if field.generated or field.has_db_default():
            kind = "a GeneratedField" if field.generated else "a db_default"
            raise UnpreparableField(
                f"{meta.label}.{field.name} has {kind}, which core.db inserts cannot write; "
                "save this model through the ORM instead."
            )
    columns = ", ".join(quote(field.column) for field in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks})"
    returning = f" RETURNING {quote(meta.pk.column)}"
    return _InsertPlan(
        fields=fields,
        sql=sql + returning,
        sql_unless_exists=sql + " ON CONFLICT DO NOTHING" + returning,
    )


def _fetch(connection, sql, values):
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        return cursor.fetchone()


def _saved(instance, pk, connection) -> None:
    instance.pk = pk
    instance._state.adding = False
    instance._state.db = connection.alias


@functools.cache
def select_sql(model, fields: tuple[str, ...], where: str, *, using: str = "default") -> str:
    """A hand-written SELECT of `fields` from `model`'s table, for a hot path that cannot
    afford the ORM's query building, with every name taken from the model's _meta and
    quoted: `where` names fields in braces ("{slug} = %s AND {state} <> %s") and leaves
    values as parameters. Built once per model, fields, condition and database."""
    meta = model._meta
    quote = connections[using].ops.quote_name

    def column(name: str) -> str:
        return quote(meta.get_field(name).column)

    named = {name for _, name, _, _ in string.Formatter().parse(where) if name}
    condition = where.format(**{name: column(name) for name in named})
    columns = ", ".join(column(name) for name in fields)
    return f"SELECT {columns} FROM {quote(meta.db_table)} WHERE {condition}"
