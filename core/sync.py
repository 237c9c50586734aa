"""Sync for the API's lists: `updated_since` and the ids removed since.

An app keeps a copy of the lists it shows (campaigns, events, one's own sign-ups...) and
brings it up to date with small requests: `GET <list>?updated_since=<ISO 8601 time>`
answers the rows of the list changed after that time, and, on the first page, `removed`:
the ids of rows that were in the list and no longer are (deleted, or no longer shown,
such as an event that was cancelled) since that time.

Database triggers keep this true whatever writes the rows (a service's save(), a
queryset's update(), the admin, a bulk import), installed by each app's migrations with
`triggers` for the tables that lists show:

- `touch`: every UPDATE of a row sets its `updated_at` to the database's clock;
- `parents`: a change to a row that a list shows inside another (an event's shifts and
  their places, a campaign's targets in its tally) touches that other row too;
- `gone`: every DELETE leaves a core.Tombstone (the resource, the id, and for a person's
  own rows, their account's id), kept for SYNC_TOMBSTONE_DAYS.

The SQL is built from the table names and expressions written in the migrations, never
from input (hence the S608 waivers).

Live figures that change by the second (a petition's total, a target's action counts, a
storm's counts) do not touch their rows: they have endpoints of their own, with an ETag.
"""

import functools
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import migrations, models
from django.db.utils import NotSupportedError
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers

from core.models import Tombstone


class UpdatedAtField(models.DateTimeField):
    """`updated_at` of a table that lists show: when the row last changed. Its value on
    insert is now; every later change is set by the database's trigger (`touch` in `triggers`),
    whatever writes the row. Indexed, for `updated_since`."""

    def __init__(self, **kwargs):
        kwargs.setdefault("default", timezone.now)
        kwargs.setdefault("db_index", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("help_text", "When it last changed, set by the database (core/sync.py).")
        super().__init__(**kwargs)

    def deconstruct(self):
        name, _, args, kwargs = super().deconstruct()
        for key in ("default", "db_index", "editable", "help_text"):
            kwargs.pop(key, None)
        return name, "core.sync.UpdatedAtField", args, kwargs


UPDATED_SINCE = "updated_since"
SYNCED_AT_HEADER = "X-Synced-At"
# A value of an index row's time in SQLite's text form, as Django stores it.
_SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now')"


@dataclass(frozen=True)
class Table:
    """The triggers of one table: `resource` names it in tombstones ("events.event");
    `owner` is SQL giving the account a row belongs to, from `{row}` (OLD or NEW), for a
    person's own rows; `parents` maps a parent table to SQL giving its id from `{row}`."""

    table: str
    resource: str
    touch: bool = True
    gone: bool = True
    owner: str = "NULL"
    parents: dict[str, str] = field(default_factory=dict)


SUPPORTER_OWNER = "(SELECT user_id FROM volunteers_supporter WHERE id = {row}.supporter_id)"


def _postgresql(spec: Table) -> tuple[list[str], list[str]]:
    t = spec.table
    create, drop = [], []
    if spec.touch:
        create += [
            "CREATE OR REPLACE FUNCTION core_sync_touch() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN NEW.updated_at := clock_timestamp(); RETURN NEW; END $$",
            f"CREATE TRIGGER {t}_sync_touch BEFORE UPDATE ON {t} "
            "FOR EACH ROW EXECUTE FUNCTION core_sync_touch()",
        ]
        drop.append(f"DROP TRIGGER IF EXISTS {t}_sync_touch ON {t}")
    if spec.gone:
        owner = spec.owner.format(row="OLD")
        create += [
            f"CREATE OR REPLACE FUNCTION {t}_sync_gone() RETURNS trigger LANGUAGE plpgsql AS "  # noqa: S608
            "$$ BEGIN INSERT INTO core_tombstone (resource, object_id, owner_id, deleted_at) "
            f"VALUES ('{spec.resource}', OLD.id, {owner}, clock_timestamp()); "
            "RETURN OLD; END $$",
            f"CREATE TRIGGER {t}_sync_gone AFTER DELETE ON {t} "
            f"FOR EACH ROW EXECUTE FUNCTION {t}_sync_gone()",
        ]
        drop += [
            f"DROP TRIGGER IF EXISTS {t}_sync_gone ON {t}",
            f"DROP FUNCTION IF EXISTS {t}_sync_gone()",
        ]
    if spec.parents:
        touches_old, touches_new = (
            " ".join(
                f"UPDATE {parent} SET updated_at = clock_timestamp() "  # noqa: S608
                f"WHERE id = {sql.format(row=row)};"
                for parent, sql in spec.parents.items()
            )
            for row in ("OLD", "NEW")
        )
        create += [
            f"CREATE OR REPLACE FUNCTION {t}_sync_parents() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN IF TG_OP <> 'INSERT' THEN {touches_old} END IF; "
            f"IF TG_OP <> 'DELETE' THEN {touches_new} END IF; RETURN NULL; END $$",
            f"CREATE TRIGGER {t}_sync_parents AFTER INSERT OR UPDATE OR DELETE ON {t} "
            f"FOR EACH ROW EXECUTE FUNCTION {t}_sync_parents()",
        ]
        drop += [
            f"DROP TRIGGER IF EXISTS {t}_sync_parents ON {t}",
            f"DROP FUNCTION IF EXISTS {t}_sync_parents()",
        ]
    return create, drop


def _sqlite(spec: Table) -> tuple[list[str], list[str]]:
    t = spec.table
    create, drop = [], []
    if spec.touch:
        # After the update, unless it set updated_at itself (no trigger runs inside another
        # trigger's update of the same row: SQLite's recursive triggers are off).
        create.append(
            f"CREATE TRIGGER {t}_sync_touch AFTER UPDATE ON {t} FOR EACH ROW "  # noqa: S608
            "WHEN NEW.updated_at IS OLD.updated_at "
            f"BEGIN UPDATE {t} SET updated_at = {_SQLITE_NOW} WHERE id = NEW.id; END"
        )
        drop.append(f"DROP TRIGGER IF EXISTS {t}_sync_touch")
    if spec.gone:
        create.append(
            f"CREATE TRIGGER {t}_sync_gone AFTER DELETE ON {t} FOR EACH ROW BEGIN "  # noqa: S608
            "INSERT INTO core_tombstone (resource, object_id, owner_id, deleted_at) "
            f"VALUES ('{spec.resource}', OLD.id, {spec.owner.format(row='OLD')}, {_SQLITE_NOW}); "
            "END"
        )
        drop.append(f"DROP TRIGGER IF EXISTS {t}_sync_gone")
    for op, rows in (("INSERT", ["NEW"]), ("UPDATE", ["OLD", "NEW"]), ("DELETE", ["OLD"])):
        if not spec.parents:
            break
        body = " ".join(
            f"UPDATE {parent} SET updated_at = {_SQLITE_NOW} "  # noqa: S608
            f"WHERE id = {sql.format(row=row)};"
            for row in rows
            for parent, sql in spec.parents.items()
        )
        name = f"{t}_sync_parents_{op.lower()}"
        create.append(f"CREATE TRIGGER {name} AFTER {op} ON {t} FOR EACH ROW BEGIN {body} END")
        drop.append(f"DROP TRIGGER IF EXISTS {name}")
    return create, drop


def _statements(schema_editor, specs, which: int) -> None:
    vendor = schema_editor.connection.vendor
    build = {"postgresql": _postgresql, "sqlite": _sqlite}.get(vendor)
    if build is None:
        raise NotSupportedError(f"Sync triggers exist for PostgreSQL and SQLite, not {vendor}.")
    for spec in specs:
        for statement in build(spec)[which]:
            schema_editor.execute(statement)


def _create(apps, schema_editor, *, specs):
    _statements(schema_editor, specs, 0)


def _drop(apps, schema_editor, *, specs):
    _statements(schema_editor, specs, 1)


def triggers(specs: list[Table]) -> migrations.RunPython:
    """The migration operation that creates these tables' triggers (and drops them when
    migrating back)."""
    return migrations.RunPython(
        functools.partial(_create, specs=specs), functools.partial(_drop, specs=specs)
    )


def tombstones_purge() -> int:
    """Forget removals older than SYNC_TOMBSTONE_DAYS; the number forgotten."""
    cutoff = timezone.now() - timedelta(days=settings.SYNC_TOMBSTONE_DAYS)
    deleted, _ = Tombstone.objects.filter(deleted_at__lt=cutoff).delete()
    return deleted


def synced_at_now():
    """What an app passes as updated_since next time: now, less SYNC_OVERLAP_SECONDS (a
    change made in a transaction that commits after this answer was read carries the time
    of the change, not of the commit; the overlap catches it), to the whole millisecond
    below (SQLite keeps the database's times to the millisecond)."""
    moment = timezone.now() - timedelta(seconds=settings.SYNC_OVERLAP_SECONDS)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


class UpdatedSince(serializers.Serializer):
    updated_since = serializers.DateTimeField(
        required=False,
        help_text=(
            "Only rows changed at or after this time (ISO 8601, e.g. 2026-11-26T09:00:00Z), and on "
            "the first page `removed`: the ids of rows gone from the list since then. Pass "
            "the X-Synced-At of your last full or partial sync."
        ),
    )


UPDATED_SINCE_PARAMETER = OpenApiParameter(
    name=UPDATED_SINCE,
    type=OpenApiTypes.DATETIME,
    location=OpenApiParameter.QUERY,
    required=False,
    description=UpdatedSince().fields["updated_since"].help_text,
)


def _with_removed(pagination_class):
    """The list's pagination, its schema with `removed` beside `results`."""

    class SyncedPagination(pagination_class):
        def get_paginated_response_schema(self, schema):
            paginated = super().get_paginated_response_schema(schema)
            paginated["properties"]["removed"] = {
                "type": "array",
                "items": {"type": "integer"},
                "description": "With updated_since, on the first page: the ids gone from "
                "the list since then (deleted, or no longer shown).",
            }
            return paginated

    SyncedPagination.__name__ = f"Synced{pagination_class.__name__}"
    return SyncedPagination


class SyncedList:
    """For a ListAPIView whose rows an app keeps: `updated_since` and `removed`.

    The view names `sync_resource` (its model's "app_label.model"); `sync_scope` returns
    the rows whose removal the caller may learn of (all of the model's rows for a public
    list; the caller's own for a personal one), and `sync_owned` says whether removals are
    only the caller's own (tombstones with their account's id). The rows of the list are
    `get_queryset()` as always; with updated_since, only those changed after it.
    """

    sync_resource: str = ""
    sync_owned: bool = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.pagination_class is not None:
            cls.pagination_class = _with_removed(cls.pagination_class)
        extend_schema(parameters=[UPDATED_SINCE_PARAMETER])(cls)

    def sync_scope(self):
        """The rows whose ids the caller may learn: their own for a personal list (which
        shows them all, so only deletions are removals), otherwise every row of the model
        (ids alone, never their contents)."""
        rows = self.get_queryset()
        return rows if self.sync_owned else rows.model.objects.all()

    def updated_since(self):
        if not hasattr(self, "_updated_since"):
            data = UpdatedSince(data=self.request.query_params)
            data.is_valid(raise_exception=True)
            since = data.validated_data.get(UPDATED_SINCE)
            oldest = timezone.now() - timedelta(days=settings.SYNC_TOMBSTONE_DAYS)
            if since is not None and since < oldest:
                raise exceptions.ValidationError(
                    {
                        UPDATED_SINCE: [
                            f"More than {settings.SYNC_TOMBSTONE_DAYS} days ago: fetch the "
                            "whole list again, without updated_since."
                        ]
                    }
                )
            self._updated_since = since
        return self._updated_since

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        since = self.updated_since()
        return queryset if since is None else queryset.filter(updated_at__gte=since)

    def removed_ids(self, since) -> list[int]:
        """Rows gone from the list since `since`: deleted (tombstones), or changed since
        and no longer in it (the list's rows without updated_since)."""
        tombstones = Tombstone.objects.filter(resource=self.sync_resource, deleted_at__gte=since)
        if self.sync_owned:
            tombstones = tombstones.filter(owner_id=self.request.user.pk)
        shown = super().filter_queryset(self.get_queryset()).values("pk")
        hidden = (
            self.sync_scope()
            .filter(updated_at__gte=since)
            .exclude(pk__in=shown)
            .values_list("pk", flat=True)
        )
        return sorted(set(tombstones.values_list("object_id", flat=True)) | set(hidden))

    def list(self, request, *args, **kwargs):
        synced_at = synced_at_now()
        since = self.updated_since()
        response = super().list(request, *args, **kwargs)
        if since is not None and isinstance(response.data, dict):
            first_page = not any(
                name in request.query_params
                for name in ("cursor", getattr(self.paginator, "page_query_param", "page"))
            )
            response.data["removed"] = self.removed_ids(since) if first_page else []
        response[SYNCED_AT_HEADER] = synced_at.isoformat(timespec="milliseconds").replace(
            "+00:00", "Z"
        )
        return response
