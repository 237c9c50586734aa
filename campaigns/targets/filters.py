"""Filters over a campaign's targets, shared by the tally page and the API."""

import re

import django_filters
from django.db.models import Q

from campaigns.targets.models import Target, TargetStatus

ONS_CODE = re.compile(r"^[A-Z]\d{8}$")


class TargetFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=TargetStatus.choices)
    party = django_filters.CharFilter(method="filter_party", label="Party")
    region = django_filters.CharFilter(method="filter_region", label="Region")
    constituency = django_filters.CharFilter(
        method="filter_constituency", label="Constituency (ONS code or name)"
    )

    class Meta:
        model = Target
        fields = ["status", "party", "region", "constituency"]

    def filter_party(self, queryset, name, value):
        return queryset.filter(
            Q(representative__party__name__iexact=value)
            | Q(representative__party__abbreviation__iexact=value)
        )

    def filter_region(self, queryset, name, value):
        return queryset.filter(
            Q(representative__constituency__region__iexact=value)
            | Q(organisation__constituency__region__iexact=value)
        )

    def filter_constituency(self, queryset, name, value):
        value = value.strip()
        if ONS_CODE.match(value.upper()):
            field, value = "ons_code", value.upper()
        else:
            field = "name__iexact"
        return queryset.filter(
            Q(**{f"representative__constituency__{field}": value})
            | Q(**{f"organisation__constituency__{field}": value})
        )
