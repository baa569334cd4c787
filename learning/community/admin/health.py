"""The content-health page (/admin/learning/health/): what in the public catalogue needs a curator.

Sections: published topics with too few published resources, published resources nobody has rated,
published resources whose link is broken, pending resource suggestions and open review flags. Unpublished
topics and resources are left out: visitors don't see them, so they are not public problems. Each section
shows its count and its first rows, each row linking to its change page, and links to the changelist
filtered to exactly that section (the catalogue admin's list filters make that possible).

The page is a URL of the default admin site, prepended to its URLs here (admin sites have no hook for a
page that belongs to no model), so it gets the admin's login, staff check, CSRF and never-cache handling.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.template.response import TemplateResponse
from django.urls import path, reverse

from learning.catalogue.admin.filters import THIN_TOPIC_MINIMUM, has_counted_rating, published_resource_count
from learning.catalogue.models import Resource, Topic
from learning.community.models import ProjectFlag, ResourceSuggestion, ReviewFlag

# Rows shown per section; the changelist link shows them all.
SECTION_ROWS = 20


@dataclass(frozen=True)
class Check:
    """One section of the page: which rows it reports, how a row reads, and its filtered changelist."""

    key: str
    title: str
    explanation: str
    model: type[Model]  # the section needs the view permission on it; its admin pages are the links
    columns: tuple[str, ...]
    rows: Callable[[], QuerySet]
    label: Callable[[Any], str]
    cells: Callable[[Any], tuple]
    list_query: str


@dataclass
class Row:
    label: str
    url: str
    cells: tuple


@dataclass
class Section:
    key: str
    title: str
    explanation: str
    columns: tuple[str, ...]
    count: int
    rows: list[Row]
    list_url: str


def admin_url(name: str, *args, query: str = "") -> str:
    url = reverse(f"admin:{name}", args=args)
    return f"{url}?{query}" if query else url


def may_view(request, model) -> bool:
    opts = model._meta
    return any(
        request.user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}") for action in ("view", "change")
    )


def run(check: Check) -> Section:
    """The check's count and first rows: two queries, however many rows match."""
    opts = check.model._meta
    admin_name = f"{opts.app_label}_{opts.model_name}"
    queryset = check.rows()
    rows = [
        Row(check.label(obj), admin_url(f"{admin_name}_change", obj.pk), check.cells(obj))
        for obj in queryset[:SECTION_ROWS]
    ]
    return Section(
        check.key,
        check.title,
        check.explanation,
        check.columns,
        count=queryset.count(),
        rows=rows,
        list_url=admin_url(f"{admin_name}_changelist", query=check.list_query),
    )


def _link_problem(resource) -> str:
    return f"HTTP {resource.link_status}" if resource.link_status else resource.link_error or "unknown"


def _review(flag) -> str:
    rating = flag.rating
    return f"{rating.user.get_username()} on “{rating.resource.title}” ({rating.stars}★)"


def _project_report(flag) -> str:
    if flag.feedback_id:
        return f"Feedback by {flag.feedback.user.get_username()} on “{flag.submission.milestone.title}”"
    return f"Project by {flag.submission.user.get_username()} for “{flag.submission.milestone.title}”"


CHECKS = (
    Check(
        "thin-topics",
        f"Published topics with fewer than {THIN_TOPIC_MINIMUM} published resources",
        "Learners get little choice here: attach or publish more resources.",
        Topic,
        ("Topic", "Published resources"),
        rows=lambda: (
            Topic.objects.published()
            .annotate(published_resources=published_resource_count())
            .filter(published_resources__lt=THIN_TOPIC_MINIMUM)
            .order_by("published_resources", "title", "pk")
        ),
        label=lambda topic: topic.title,
        cells=lambda topic: (topic.published_resources,),
        list_query="is_published__exact=1&coverage=thin",
    ),
    Check(
        "never-rated",
        "Published resources never rated",
        "No visible rating yet (ratings a moderator hid don't count). Oldest first.",
        Resource,
        ("Resource", "Kind", "Added"),
        rows=lambda: Resource.objects.published().filter(~has_counted_rating()).order_by("created_at", "pk"),
        label=lambda resource: resource.title,
        cells=lambda resource: (resource.get_kind_display(), resource.created_at),
        list_query="is_published__exact=1&rated=never",
    ),
    Check(
        "broken-links",
        "Published resources with a broken link",
        "The last run of manage.py check_links could not open them. Fix the URL, or unpublish them.",
        Resource,
        ("Resource", "Problem", "Failed checks", "Last checked"),
        rows=lambda: (
            Resource.objects.published().filter(link_failures__gt=0).order_by("-link_failures", "title")
        ),
        label=lambda resource: resource.title,
        cells=lambda resource: (_link_problem(resource), resource.link_failures, resource.link_checked_at),
        list_query="is_published__exact=1&link=broken",
    ),
    Check(
        "suggestions",
        "Pending resource suggestions",
        "Links learners suggested for a topic, oldest first.",
        ResourceSuggestion,
        ("Suggestion", "Topic", "From", "Sent"),
        rows=lambda: (
            ResourceSuggestion.objects.filter(status=ResourceSuggestion.Status.PENDING)
            .select_related("topic", "user")
            .order_by("created_at", "pk")
        ),
        label=lambda suggestion: suggestion.title,
        cells=lambda suggestion: (
            suggestion.topic.title,
            suggestion.user.get_username(),
            suggestion.created_at,
        ),
        list_query="status__exact=pending",
    ),
    Check(
        "flags",
        "Open review flags",
        "Reviews learners reported, waiting for a moderator to hide or keep them; oldest first.",
        ReviewFlag,
        ("Review", "Reason", "Flagged by", "Flagged"),
        rows=lambda: (
            ReviewFlag.objects.open()
            .select_related("rating__resource", "rating__user", "user")
            .order_by("created_at", "pk")
        ),
        label=_review,
        cells=lambda flag: (flag.get_reason_display(), flag.user.get_username(), flag.created_at),
        list_query="resolved_at__isnull=True",
    ),
    Check(
        "project-flags",
        "Open reports on learners' projects and feedback",
        "Projects and feedback learners reported, for a moderator to hide or keep; oldest first.",
        ProjectFlag,
        ("Reported", "Reason", "Flagged by", "Flagged"),
        rows=lambda: (
            ProjectFlag.objects.open()
            .select_related("submission__milestone", "submission__user", "feedback__user", "user")
            .order_by("created_at", "pk")
        ),
        label=_project_report,
        cells=lambda flag: (flag.get_reason_display(), flag.user.get_username(), flag.created_at),
        list_query="resolved_at__isnull=True",
    ),
)


def content_health(request):
    if not (may_view(request, Topic) and may_view(request, Resource)):
        raise PermissionDenied
    context = {
        **admin.site.each_context(request),
        "title": "Content health",
        "app_name": apps.get_app_config("learning").verbose_name,
        "sections": [run(check) for check in CHECKS if may_view(request, check.model)],
        "section_rows": SECTION_ROWS,
    }
    return TemplateResponse(request, "admin/learning/health.html", context)


def _with_health_page(get_urls):
    def urls():
        page = path("learning/health/", admin.site.admin_view(content_health), name="learning_health")
        return [page, *get_urls()]

    return urls


# Wraps the default site's get_urls on purpose (the page belongs to no ModelAdmin).
admin.site.get_urls = _with_health_page(admin.site.get_urls)  # type: ignore[method-assign]
