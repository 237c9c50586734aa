"""Page views of a petition, counted per day: one short UPDATE per view, no one recorded."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from campaigns.petitions.models import PetitionViewDay


def petition_view_record(*, petition_id: int) -> None:
    """Count one view of the petition's page today (UK time)."""
    day = timezone.localdate()
    rows = PetitionViewDay.objects.filter(petition_id=petition_id, day=day)
    if rows.update(views=F("views") + 1):
        return
    try:
        with transaction.atomic():
            PetitionViewDay.objects.create(petition_id=petition_id, day=day, views=1)
    except IntegrityError:  # another view made today's row first
        rows.update(views=F("views") + 1)
