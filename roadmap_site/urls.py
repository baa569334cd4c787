from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Roadmap curation"
admin.site.site_title = "Roadmap curation"
admin.site.index_title = "Catalogue and learners"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("learning.urls")),
]
