"""`columns_holding(values)`: every text column of every table that holds any of the values
(case-insensitive), as "app_label.Model.field"; what erasure tests search after erasing."""

from django.apps import apps
from django.db import models
from django.db.models.functions import Cast

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def columns_holding(values, *, ignore=()) -> list[str]:
    """`ignore`: labels of models to leave out (reference data that may hold a value by
    chance, such as a postcode in the postcode table)."""
    found = []
    values = [v for v in values if v]
    for model in apps.get_models(include_auto_created=True):
        if model._meta.label in ignore:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, TEXT_FIELDS):
                continue
            rows = model._base_manager.all()
            name = field.name
            if isinstance(field, models.JSONField):
                rows = rows.annotate(_as_text=Cast(field.name, models.TextField()))
                name = "_as_text"
            for value in values:
                if rows.filter(**{f"{name}__icontains": value}).exists():
                    found.append(f"{model._meta.label}.{field.name}")
                    break
    return found
