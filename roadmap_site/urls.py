from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from learning.catalogue.sitemaps import SITEMAPS
from learning.catalogue.views.robots import robots_txt
from plumbing import health

admin.site.site_header = "Roadmap curation"
admin.site.site_title = "Roadmap curation"
admin.site.index_title = "Catalogue and learners"
admin.site.login_template = "admin/login_with_heading.html"  # Django's login page has no <h1>

handler500 = "plumbing.errors.server_error"
handler429 = "plumbing.errors.too_many_requests"  # allauth's rate limits answer with it too

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("", include("accounts.urls")),
    path("", include("learning.urls")),
]
