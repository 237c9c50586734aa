"""The record of pressure: one row for each action a supporter took against a target
(a letter sent to their MP, a signature from the MP's constituency, a storm post, an
event attended, and the calls, posts and surgery visits supporters report themselves).

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
    # A noun, as the others: the dashboard's columns are "<label>s, 7 days".
    SURGERY = "surgery", "Surgery visit"


# The longest address a reported post may have, as the storms' post addresses.
URL_MAX = 500


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
            # GET /api/v1/actions/: every action, newest first, read page by page from
            # a position in this (unique) order (core.api.CursorPagination).
            models.Index(fields=["occurred_at", "id"], name="action_time_id"),
        ]

    def __str__(self):
        return f"{self.kind} against {self.target_id} at {self.occurred_at:%Y-%m-%d %H:%M}"


class ReportedKind(models.TextChoices):
    """What a supporter may report having done outside the platform: each is also the
    ActionKind their ActionRecord gets."""

    CALL = ActionKind.CALL.value, "Called their office"
    POST = ActionKind.POST.value, "Posted at their account"
    SURGERY = ActionKind.SURGERY.value, "Attended their surgery"


class ReportedAction(models.Model):
    """An action a signed-in supporter says they took against a target outside the
    platform: a call, a post (with its address, never fetched) or a surgery visit. Made
    only by services.action_report, which merges repeats and records each as an
    ActionRecord (source REPORTED_SOURCE, source_id this row's id). Erasure clears the
    supporter and the address and keeps the row, so the record still counts."""

    supporter = models.ForeignKey(
        Supporter,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_actions",
        db_index=False,  # the index reported_merge starts with it
        help_text="Who reported it; empty once they are erased.",
    )
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="reported_actions")
    kind = models.CharField(max_length=20, choices=ReportedKind.choices)
    url = models.URLField(
        max_length=URL_MAX, blank=True, help_text="The post's address (posts only)."
    )
    occurred_at = models.DateTimeField(help_text="When they say they acted.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ReportedKind.values), name="reported_kind_known"
            ),
            models.CheckConstraint(
                condition=models.Q(kind=ReportedKind.POST) | models.Q(url=""),
                name="reported_url_only_for_posts",
            ),
        ]
        indexes = [
            # The merge's look-up: this supporter's reports of a kind against a target
            # near a time.
            models.Index(
                fields=["supporter", "target", "kind", "occurred_at"], name="reported_merge"
            ),
        ]

    def __str__(self):
        return f"{self.kind} against {self.target_id} at {self.occurred_at:%Y-%m-%d %H:%M}"
