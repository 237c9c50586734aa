"""The baselines the benchmarks measure the real endpoints against: signing
(bench/petition_sign.py) and the actions list (bench/api_lists.py, at the end).

The two baselines that the real signing endpoint is measured against.

Both are copies of api.PetitionSign + services.petition_sign for a petition that needs no
confirmation, doing the same work in the same order (the petition look-up, the input
serializer, DRF's authentication and throttles, services._check with its email
normalisation and volunteers.places postcode look-up, the abuse counters in Redis, the
share code, supporter_get_or_create, the signature insert (ON CONFLICT DO NOTHING), the same answer
for a repeat), and differing only in how a signature is counted:

- naive: in the signing transaction, right after the signature insert,
  `UPDATE PetitionCount SET total = total + 1` and the same on the signer's
  ConstituencyCount row (created on first use), like alphagov/e-petitions' early
  increment_signature_count! and ConstituencyPetitionJournal.record_new_signature, but
  inside the request. Every signer of one petition queues on one counter row.
- insert-only: no counting at all; the signature row is the only write besides the
  supporter. The floor the real path's CountChange insert is compared with.

The real variant inserts a CountChange row instead, folded into the counts by Celery.
services._check and services._signature_build are private to the petitions app: used here
on purpose so the baselines validate and build the row exactly as the real path does (if
either is renamed, this file fails at once).
"""

import json
from base64 import b64encode
from datetime import datetime
from urllib.parse import urlencode

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.http import HttpResponse
from django.utils import timezone
from rest_framework import generics, pagination
from rest_framework import serializers as drf_serializers
from rest_framework.views import APIView

from campaigns.petitions import abuse, services
from campaigns.petitions.api import PetitionSign
from campaigns.petitions.models import ConstituencyCount, PetitionCount, Signature
from campaigns.pressure.models import ActionKind, ActionRecord
from core.api import IsOrganiser
from core.db import insert_unless_exists
from core.http import client_ip_hash
from volunteers.models import ConsentRecord, email_domain
from volunteers.services import consent_record, supporter_get_or_create


def _count_in_request(*, petition, constituency_code: str) -> None:
    """The naive count: two shared rows updated by every signing transaction."""
    PetitionCount.objects.filter(petition=petition).update(
        total=F("total") + 1, updated_at=timezone.now()
    )
    seat = ConstituencyCount.objects.filter(petition=petition, constituency_code=constituency_code)
    if not seat.update(total=F("total") + 1):
        ConstituencyCount.objects.bulk_create(
            [ConstituencyCount(petition=petition, constituency_code=constituency_code)],
            ignore_conflicts=True,
        )
        seat.update(total=F("total") + 1)


def _sign(*, petition, values, ip: str, count_in_request: bool) -> services.Signing:
    """services.petition_sign for a petition without confirmation, minus the CountChange
    row; with count_in_request the counters are updated in the same transaction."""
    name, email, place = services._check(
        petition=petition, name=values["name"], email=values["email"], postcode=values["postcode"]
    )
    ip_hash = client_ip_hash(ip)
    domain = email_domain(email)
    suspect = abuse.signing_over_limit(ip_hash=ip_hash, domain=domain)
    code = services.share_code(petition=petition, email=email)
    counts_now = not petition.confirmation_required and not suspect
    with transaction.atomic():
        supporter, _ = supporter_get_or_create(email=email, name=name)
        if values["campaign_email_opt_in"]:
            consent_record(
                supporter=supporter,
                purpose=ConsentRecord.Purpose.CAMPAIGN_EMAIL,
                wording=services.CAMPAIGN_EMAIL_WORDING,
                source=f"petition:{petition.slug}",
            )
        signature = services._signature_build(
            petition=petition,
            supporter=supporter,
            name=name,
            email=email,
            place=place,
            source=values["source"],
            referred_by=values["ref"],
            share_code=code,
            ip_hash=ip_hash,
            suspect=suspect,
            counted=counts_now,
        )
        if insert_unless_exists(signature):
            if counts_now and count_in_request:
                _count_in_request(petition=petition, constituency_code=place.constituency_code)
        elif Signature.objects.filter(petition=petition, email=email).first() is None:
            raise IntegrityError("The signature could not be stored.")
    return services.Signing(
        petition=petition,
        constituency_code=place.constituency_code,
        share_code=code,
        confirmation_required=petition.confirmation_required,
    )


class _BaselineSign(PetitionSign):
    """api.PetitionSign with the signing service swapped for _sign; the same request
    handling, answer and lookup as the real endpoint."""

    count_in_request = False

    def sign(self, petition, values, ip) -> services.Signing:
        return _sign(
            petition=petition, values=values, ip=ip, count_in_request=self.count_in_request
        )


class NaiveSign(_BaselineSign):
    count_in_request = True


class InsertOnlySign(_BaselineSign):
    count_in_request = False


# The actions list (GET /api/v1/actions/) -----------------------------------------------------
#
# naive: what a first DRF list gives: a ModelSerializer of every field, page numbers (a
# COUNT of the filtered rows and an OFFSET on every page), the same filters and order as
# the real view (campaigns.pressure.api.Actions), the same authentication, permission and
# throttle. limit: the real page's rows and fields from one hand-written keyset query,
# json.dumps'd, with no Django, DRF or HTTP at all.


class NaiveActionOutput(drf_serializers.ModelSerializer):
    class Meta:
        model = ActionRecord
        fields = "__all__"


class NaivePagination(pagination.PageNumberPagination):
    page_size = 100


class NaiveActions(generics.ListAPIView):
    """GET /bench/actions/naive/?campaign=<slug>&kind=<kind>&page=<n>: everyone's actions,
    newest first, 100 a page by number; organisers only, as the real view's all=1."""

    serializer_class = NaiveActionOutput
    pagination_class = NaivePagination
    permission_classes = [IsOrganiser]
    required_permission = "pressure.view_actionrecord"
    filter_backends = []

    def get_queryset(self):
        records = ActionRecord.objects.order_by("-occurred_at", "-id")
        params = self.request.query_params
        if params.get("campaign"):
            records = records.filter(target__campaign__slug=params["campaign"])
        if params.get("kind"):
            records = records.filter(kind=params["kind"])
        return records


KIND_LABELS = dict(ActionKind.choices)

# The real page's columns (serializers.ActionOutput), filtered as actions_listed filters by
# campaign and kind, read from the index action_time_id below a position.
LIMIT_SQL = """
SELECT a.id, a.kind, a.occurred_at, a.target_id, COALESCE(r.name, o.name), c.slug,
       a.source, a.source_id, a.supporter_id
FROM pressure_actionrecord a
JOIN targets_target t ON t.id = a.target_id
JOIN targets_campaign c ON c.id = t.campaign_id
LEFT JOIN targets_representative r ON r.id = t.representative_id
LEFT JOIN targets_organisation o ON o.id = t.organisation_id
WHERE c.slug = %s AND a.kind = %s {after}
ORDER BY a.occurred_at DESC, a.id DESC
LIMIT %s
"""
LIMIT_FIRST = LIMIT_SQL.format(after="")
LIMIT_AFTER = LIMIT_SQL.format(after="AND (a.occurred_at, a.id) < (%s, %s)")


def _utc(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def limit_page(cursor, *, campaign: str, kind: str, after=None, page_size: int = 100) -> bytes:
    """One page of the actions list with as little as can produce it: one keyset query on
    `cursor` (a psycopg cursor, or Django's, of a session in UTC) and json.dumps. `after`:
    the position (occurred_at, id) the page follows, None for the first page. The same
    rows and fields as the real page's `results`, and a `next` cursor as CursorPagination
    encodes it; a page_size + 1st row is read, as the real view does, to know whether
    there is one."""
    if after is None:
        cursor.execute(LIMIT_FIRST, (campaign, kind, page_size + 1))
    else:
        cursor.execute(LIMIT_AFTER, (campaign, kind, *after, page_size + 1))
    rows = cursor.fetchall()
    following = None
    if len(rows) > page_size:
        rows = rows[:page_size]
        last = json.dumps([rows[-1][2].isoformat(), str(rows[-1][0])])
        following = b64encode(urlencode({"p": last}).encode()).decode()
    results = [
        {
            "id": pk,
            "kind": kind_,
            "kind_label": KIND_LABELS[kind_],
            "occurred_at": _utc(occurred_at),
            "target": target_id,
            "target_name": target_name,
            "campaign": slug,
            "source": source,
            "source_id": source_id,
            "supporter": supporter_id,
        }
        for (
            pk,
            kind_,
            occurred_at,
            target_id,
            target_name,
            slug,
            source,
            source_id,
            supporter_id,
        ) in rows
    ]
    return json.dumps({"next": following, "previous": None, "results": results}).encode()


class LimitActions(APIView):
    """A diagnostic, not a baseline with a target: limit_page behind the same request
    handling as the real view (middleware, session, DRF authentication, IsOrganiser, the
    throttle), on Django's connection. GET /bench/actions/limit/?campaign=&kind=
    [&after=<ISO time>,<id>]. What is left of the real request's time once its ORM rows
    and serializer are gone."""

    permission_classes = [IsOrganiser]
    required_permission = "pressure.view_actionrecord"

    def get(self, request):
        params = request.query_params
        after = None
        if params.get("after"):
            moment, pk = params["after"].rsplit(",", 1)
            after = (datetime.fromisoformat(moment), int(pk))
        with connection.cursor() as cursor:
            body = limit_page(cursor, campaign=params["campaign"], kind=params["kind"], after=after)
        return HttpResponse(body, content_type="application/json")
