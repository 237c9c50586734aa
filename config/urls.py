from allauth.account.decorators import secure_admin_login
from anymail.webhooks.mailgun import MailgunTrackingWebhookView
from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.views.generic import RedirectView, TemplateView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

import core.api  # noqa: F401  (registers the X-Session-Token scheme with the schema)
from campaigns.briefs import urls as briefs_urls
from campaigns.events import urls as events_urls
from campaigns.letters import urls as letters_urls
from campaigns.petitions import urls as petitions_urls
from campaigns.pressure import urls as pressure_urls
from campaigns.storms import urls as storms_urls
from campaigns.targets import urls as targets_urls
from campaigns.targets.views import home, marginals
from organiser import urls as organiser_urls
from volunteers import urls as volunteers_urls

# The admin signs in through allauth's login page, so it shares allauth's rate limits.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Groundswell organisers"
admin.site.site_title = "Groundswell"


class FaviconRedirect(RedirectView):
    """/favicon.ico, which browsers and crawlers ask for unprompted, is the static SVG.
    Not permanent: in production the static name carries a hash that changes."""

    permanent = False

    def get_redirect_url(self, *args, **kwargs):
        return static("favicon.svg")


class PrivacyNotice(TemplateView):
    """What the site keeps about people, why, for how long, and their rights (linked from
    every page's footer, so from every form that collects data)."""

    template_name = "privacy.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "site_name": settings.SITE_NAME,
            "letter_retention_days": settings.LETTER_RETENTION_DAYS,
            "unconfirmed_retention_days": settings.UNCONFIRMED_RETENTION_DAYS,
            "signer_retention_months": settings.SIGNER_RETENTION_MONTHS,
            "contact_email": settings.PRIVACY_CONTACT_EMAIL,
        }


class ApiNotFound(APIView):
    """Any path under /api/ that no endpoint answers: a 404 in the API's error shape (by
    core.api.exception_handler), always as JSON, whatever the method or credentials."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = []
    renderer_classes = [JSONRenderer]
    schema = None

    def initial(self, request, *args, **kwargs):
        raise NotFound()


api_v1 = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    *volunteers_urls.api_urlpatterns,
    *targets_urls.api_urlpatterns,
    *petitions_urls.api_urlpatterns,
    *letters_urls.api_urlpatterns,
    *storms_urls.api_urlpatterns,
    *events_urls.api_urlpatterns,
    *briefs_urls.api_urlpatterns,
    *pressure_urls.api_urlpatterns,
]

urlpatterns = [
    path("", home, name="home"),
    path("favicon.ico", FaviconRedirect.as_view(), name="favicon"),
    path("privacy/", PrivacyNotice.as_view(), name="privacy"),
    path("marginals/", marginals, name="marginals"),
    path("campaigns/", include("campaigns.targets.urls")),
    path("petitions/", include("campaigns.petitions.urls")),
    path("letters/", include("campaigns.letters.urls")),
    path("storms/", include("campaigns.storms.urls")),
    path("events/", include("campaigns.events.urls")),
    path("briefs/", include("campaigns.briefs.urls")),
    path("unsubscribe/", include("organiser.urls")),
    path("organiser/", include((organiser_urls.dashboard_urlpatterns, "dashboard"))),
    path("me/", include("volunteers.urls")),
    # The email provider's signed tracking webhook (django-anymail), and only that one:
    # anymail.urls would open some thirty webhooks of providers we do not use, one of which
    # fails with a server error without its optional package.
    path(
        "anymail/mailgun/tracking/",
        MailgunTrackingWebhookView.as_view(),
        name="mailgun_tracking_webhook",
    ),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    # allauth's page for its headless API's specification loads Redoc from a CDN, which the
    # Content-Security-Policy blocks; this one shows the same specification (allauth's
    # openapi.json) in the Swagger UI served from this site, as /api/v1/docs/ is.
    path(
        "_allauth/openapi.html",
        SpectacularSwaggerSplitView.as_view(
            url_name="headless:openapi_json", title="Groundswell accounts API (django-allauth)"
        ),
        name="headless-docs",
    ),
    path("_allauth/", include("allauth.headless.urls")),
    path("api/v1/", include((api_v1, "api"))),
    re_path(r"^api/", ApiNotFound.as_view(), name="api-not-found"),
]
