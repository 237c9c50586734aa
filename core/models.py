"""The few tables of the bottom layer: what every app's API shares.

IdempotencyKey remembers the first answer to a create request sent with an
`Idempotency-Key` header, so a client on a poor connection can repeat the request and get
the same answer without creating anything twice (core/idempotency.py).
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
