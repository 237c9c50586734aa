"""The site's URLs plus the baseline endpoints the benchmarks compare with: two signing ones
(bench/petition_sign.py), and a naive actions list and the limit's query behind Django's
request handling (bench/api_lists.py)."""

from django.urls import path

from bench import baselines
from config.urls import urlpatterns as site_urlpatterns

urlpatterns = [
    *site_urlpatterns,
    path(
        "bench/petitions/<slug:slug>/naive/signatures/",
        baselines.NaiveSign.as_view(),
        name="bench-naive-sign",
    ),
    path(
        "bench/petitions/<slug:slug>/insert-only/signatures/",
        baselines.InsertOnlySign.as_view(),
        name="bench-insert-only-sign",
    ),
    path("bench/actions/naive/", baselines.NaiveActions.as_view(), name="bench-naive-actions"),
    path("bench/actions/limit/", baselines.LimitActions.as_view(), name="bench-limit-actions"),
]
