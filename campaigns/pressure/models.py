"""The record of pressure: one row for each action a supporter took against a target
(a letter sent to their MP, a signature from the MP's constituency, and later posts, calls
and attendance).

Other campaign apps feed it through services.action_record and withdraw from it through
services.actions_withdraw; pressure knows them only by the `source` string they record
under, never by import. A record exists while the thing that produced it counts: the
unique constraint on (source, source_id, target) makes feeding the same thing twice
record it once, and withdrawing deletes it.
"""

from django.db import models
from django.utils import timezone

from campaigns.targets.models import Target
from volunteers.models import Supporter


class ActionKind(models.TextChoices):
    LETTER = "letter", "Letter"
    SIGNATURE = "signature", "Signature"
    POST = "post", "Post"
    CALL = "call", "Call"
    ATTENDANCE = "attendance", "Attendance"


class ActionRecord(models.Model):
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="action_records")
    kind = models.CharField(max_length=20, choices=ActionKind.choices)
    occurred_at = models.DateTimeField(default=timezone.now)
    supporter = models.ForeignKey(
        Supporter,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="action_records",
        help_text="Who acted; empty once they are erased (the action still counts).",
    )
    source = models.CharField(
        max_length=40, help_text="What produced it, as app.thing: petitions.signature."
    )
    source_id = models.BigIntegerField(help_text="The id of that thing in its app.")

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_id", "target"], name="action_recorded_once"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=ActionKind.values), name="action_kind_known"
            ),
        ]
        indexes = [
            # Counts per target and kind (the tally), read from the index alone.
            models.Index(fields=["target", "kind"], name="action_target_kind"),
            # A target's actions over time; a campaign's over time reaches it through
            # the campaign's targets (Target's index on campaign).
            models.Index(fields=["target", "occurred_at"], name="action_target_time"),
        ]

    def __str__(self):
        return f"{self.kind} against {self.target_id} at {self.occurred_at:%Y-%m-%d %H:%M}"
