"""The hot-path inserts of core/db.py."""

import pytest
from django.db import connection, models, transaction
from django.test.utils import isolate_apps

from campaigns.petitions.models import CountChange
from core.db import UnpreparableField, insert_row, insert_unless_exists
from tests.factories import PetitionFactory
from volunteers.models import Supporter

pytestmark = pytest.mark.django_db


def test_a_new_row_is_inserted_with_its_defaults_and_key():
    supporter = Supporter(email="jo@example.org", name="Jo")

    assert insert_unless_exists(supporter) is True

    stored = Supporter.objects.get(pk=supporter.pk)
    assert (stored.email, stored.name) == ("jo@example.org", "Jo")
    assert stored.created_at is not None and stored.created_at == supporter.created_at


def test_an_existing_row_is_left_as_it_was():
    Supporter.objects.create(email="jo@example.org", name="Jo")
    again = Supporter(email="jo@example.org", name="Someone else")

    assert insert_unless_exists(again) is False

    assert again.pk is None
    assert list(Supporter.objects.values_list("name", flat=True)) == ["Jo"]


@pytest.mark.postgres
def test_a_conflict_inside_a_transaction_leaves_it_usable():
    Supporter.objects.create(email="jo@example.org")

    with transaction.atomic():
        assert insert_unless_exists(Supporter(email="jo@example.org")) is False
        # A failed plain INSERT would have aborted the transaction here.
        Supporter.objects.create(email="sam@example.org")

    assert Supporter.objects.count() == 2
    assert connection.vendor == "postgresql"


def test_insert_row_stores_a_journal_row_and_sets_its_key():
    petition = PetitionFactory()
    change = CountChange(petition=petition, constituency_code="E14000001", delta=1)

    insert_row(change)

    assert CountChange.objects.get(pk=change.pk).constituency_code == "E14000001"


def test_the_row_that_goes_with_it_is_inserted_only_with_a_new_row():
    petition = PetitionFactory()
    first = Supporter(email="jo@example.org")
    change = CountChange(petition=petition, constituency_code="E14000001", delta=1)
    repeat = Supporter(email="jo@example.org")
    second_change = CountChange(petition=petition, constituency_code="E14000002", delta=1)

    assert insert_unless_exists(first, then=change) is True
    assert insert_unless_exists(repeat, then=second_change) is False

    assert list(CountChange.objects.values_list("pk", "constituency_code")) == [
        (change.pk, "E14000001")
    ]
    assert second_change.pk is None


@isolate_apps("volunteers")
@pytest.mark.parametrize(
    ("field", "named"),
    [
        (models.IntegerField(db_default=1), "db_default"),
        (
            models.GeneratedField(
                expression=models.F("id"), output_field=models.BigIntegerField(), db_persist=True
            ),
            "GeneratedField",
        ),
    ],
)
def test_a_field_the_database_computes_is_refused_with_its_name(field, named):
    class Computed(models.Model):  # noqa: DJ008  (never shown)
        label = models.CharField(max_length=10)
        computed = field

        class Meta:
            app_label = "volunteers"

    with pytest.raises(UnpreparableField, match=rf"volunteers.Computed.computed has .*{named}"):
        insert_unless_exists(Computed(label="x"))
    with pytest.raises(UnpreparableField):
        insert_row(Computed(label="x"))
