"""The few tables of the bottom layer: what every app's API shares.

IdempotencyKey remembers the first answer to a create request sent with an
`Idempotency-Key` header, so a client on a poor connection can repeat the request and get
the same answer without creating anything twice (core/idempotency.py). Tombstone records
rows gone from the tables that the API's lists show, for apps that keep a copy
(core/sync.py).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class IdempotencyKey(models.Model):
    owner = models.CharField(
        max_length=40,
        help_text="Whose key: user:<id> for a signed-in account, anonymous otherwise.",
    )
    key = models.CharField(max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The signed-in account that sent it; its keys go when the account does.",
    )
    fingerprint = models.CharField(
        max_length=64, help_text="SHA-256 of the method, path and body of the first request."
    )
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="idempotency_key_once"),
        ]

    def __str__(self):
        return f"{self.owner} {self.key}"


class Tombstone(models.Model):
    """A row gone from a table that the API's lists show, for apps that keep a copy
    (core/sync.py). Written by the table's delete trigger, never by Python."""

    resource = models.CharField(max_length=60, help_text='The table, as "app_label.model".')
    object_id = models.BigIntegerField()
    owner_id = models.BigIntegerField(
        null=True, blank=True, help_text="For a person's own rows, their account's id."
    )
    deleted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["resource", "deleted_at"], name="tombstone_resource_time"),
        ]

    def __str__(self):
        return f"{self.resource} {self.object_id} gone at {self.deleted_at:%Y-%m-%d %H:%M}"
