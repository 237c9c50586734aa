from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

import core.api  # noqa: F401  (registers the X-Session-Token scheme with the schema)
from campaigns.petitions import urls as petitions_urls
from campaigns.targets import urls as targets_urls
from campaigns.targets.views import home
from volunteers import urls as volunteers_urls

# The admin signs in through allauth's login page, so it shares allauth's rate limits.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Groundswell organisers"
admin.site.site_title = "Groundswell"

api_v1 = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    *volunteers_urls.api_urlpatterns,
    *targets_urls.api_urlpatterns,
    *petitions_urls.api_urlpatterns,
]

urlpatterns = [
    path("", home, name="home"),
    path("campaigns/", include("campaigns.targets.urls")),
    path("petitions/", include("campaigns.petitions.urls")),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("_allauth/", include("allauth.headless.urls")),
    path("api/v1/", include((api_v1, "api"))),
]
