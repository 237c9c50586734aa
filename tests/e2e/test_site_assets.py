"""What every page leans on: a favicon, and API documentation that renders under the
site's Content-Security-Policy with nothing loaded from anywhere else."""

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from playwright.sync_api import expect


@pytest.mark.django_db
def test_pages_link_the_favicon_and_favicon_ico_leads_to_it(client):
    html = client.get("/").content.decode()
    response = client.get("/favicon.ico")

    assert f'<link rel="icon" href="{static("favicon.svg")}" type="image/svg+xml">' in html
    assert finders.find("favicon.svg")
    assert response.status_code == 302
    assert response["Location"] == static("favicon.svg")


@pytest.mark.browser
def test_the_browser_gets_an_svg_for_favicon_ico(page):
    response = page.request.get("/favicon.ico")

    assert response.status == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert response.url.endswith(static("favicon.svg"))


@pytest.mark.browser
@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("/_allauth/openapi.html", "django-allauth: Headless API"),
        ("/api/v1/docs/", "Groundswell API"),
    ],
)
def test_api_docs_render_under_the_csp_from_this_site_only(page, live_server, path, title):
    site = urlsplit(live_server.url).netloc
    requested, violations = [], []
    page.on("request", lambda request: requested.append(request.url))
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    page.goto(path)

    expect(page.locator(".swagger-ui .info .title")).to_contain_text(title)
    expect(page.locator(".opblock").first).to_be_visible()
    assert violations == []
    elsewhere = [url for url in requested if re.match(r"https?://", url)]
    assert all(urlsplit(url).netloc == site for url in elsewhere), elsewhere
