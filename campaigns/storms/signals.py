"""What makes a storm's cached snapshot (selectors.storm_snapshot) stale, and forgets it:
its own fields, angles and targets changing, and a target's status, name or handles
changing (by targets.services.target_status_set, which records a TargetStatusChange, or
saved in the admin). Connected in StormsConfig.ready(); targets knows nothing of storms."""

from django.db.models.signals import post_delete, post_save

from campaigns.storms.models import Angle, StormTarget, Twitterstorm
from campaigns.storms.selectors import snapshot_forget
from campaigns.targets.models import (
    Campaign,
    Organisation,
    Representative,
    Target,
    TargetStatusChange,
)


def _storm_changed(sender, instance, **kwargs):
    snapshot_forget([instance.pk])


def _part_changed(sender, instance, **kwargs):
    snapshot_forget([instance.storm_id])


def _target_changed(sender, instance, **kwargs):
    target_id = instance.target_id if isinstance(instance, TargetStatusChange) else instance.pk
    snapshot_forget(
        StormTarget.objects.filter(target_id=target_id).values_list("storm_id", flat=True)
    )


def _contact_changed(sender, instance, **kwargs):
    field = (
        "target__representative" if isinstance(instance, Representative) else "target__organisation"
    )
    storms = StormTarget.objects.filter(**{field: instance}).values_list("storm_id", flat=True)
    snapshot_forget(storms)


def _campaign_changed(sender, instance, **kwargs):
    snapshot_forget(Twitterstorm.objects.filter(campaign=instance).values_list("pk", flat=True))


def connect() -> None:
    post_save.connect(_campaign_changed, sender=Campaign, dispatch_uid="storms-campaign")
    post_delete.connect(_storm_changed, sender=Twitterstorm, dispatch_uid="storms-storm-d")
    post_save.connect(_storm_changed, sender=Twitterstorm, dispatch_uid="storms-storm")
    for model in (Angle, StormTarget):
        post_save.connect(_part_changed, sender=model, dispatch_uid=f"storms-{model.__name__}")
        post_delete.connect(_part_changed, sender=model, dispatch_uid=f"storms-{model.__name__}-d")
    for model in (Target, TargetStatusChange):
        post_save.connect(_target_changed, sender=model, dispatch_uid=f"storms-{model.__name__}")
    for model in (Representative, Organisation):
        post_save.connect(_contact_changed, sender=model, dispatch_uid=f"storms-{model.__name__}")
