"""The site's URLs plus the two baseline signing endpoints the benchmark compares with."""

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
]
