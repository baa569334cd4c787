"""Every kind of page is valid HTML and has no accessibility violation.

- The Nu HTML checker (vnu.jar, from npm, run by Debian's Java) reads every page as the site serves it, all in
  one run, and finds no error.
- axe-core (from npm) runs inside Chromium on every page at 1280×900, and on the learner's main pages at
  390×844 too, and finds no violation of its default rules (WCAG 2 A and AA, and best practices such as
  heading order, landmarks and regions) in the light colour scheme, nor of its colour rules in the dark one.

Both read the same list of page kinds (`page_kinds`): every named URL of the site whose answer is a page,
seen by the person it is for, in the states that change it (a learner's progress, a form sent back with its
errors, a second page of results...). A named URL that is no page is exempt, with its reason
(`NOT_PAGES`); a test fails when a URL is neither, so a new page is checked from the day it is added.
`make test` installs both checkers (package.json, package-lock.json; the `node-tools` and `java` targets).
"""

import importlib
import json
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser, Group
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from taggit.models import Tag

from accounts import reminders
from learning.community import moderation
from learning.community import project_services as projects
from learning.community.models import ProjectSubmission, ResourceSuggestion
from learning.community.services import flag_review, rate_resource
from learning.models import ChecklistItem, ReadyCheck, Resource, TrackChange
from learning.progress import services as progress
from learning.progress.models import DigestSent, TopicProgress, TopicReview
from plumbing import errors
from tests.factories import (
    CuratorFactory,
    MilestoneFactory,
    RatingFactory,
    ResourceFactory,
    ResourceSuggestionFactory,
    StageFactory,
    StepFactory,
    SuperuserFactory,
    TopicFactory,
    TrackFactory,
    UserFactory,
)

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
MISSING_TOOL = "{} is missing: `make test` installs it (`make node-tools java`)"

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

# ---------- The page kinds ----------


@dataclass(frozen=True)
class Page:
    """One page as someone sees it. `covers` is the URL name it checks ("" for pages behind no name)."""

    name: str
    covers: str
    path: str = ""
    who: str = "visitor"  # visitor, learner, github (a GitHub learner without a password), curator, superuser
    status: int = 200
    follow: bool = False  # the address redirects once (a password-reset key goes into the session)
    phone: bool = False  # also checked at 390×844
    post: dict | None = field(default=None, hash=False)  # the page is the answer to this POST to `path`
    render: Callable | None = field(default=None, hash=False)  # the page is what this view gives a GET
    group: str = "site"  # which browser test checks it: site, accounts or admin
    shows: str = ""  # HTML the page must hold: the state it is listed for is really there


# Named URLs whose answer is no HTML page, or no page of its own.
NOT_PAGES = {
    "healthz": "a probe: plain text",
    "readyz": "a probe: plain text",
    "sitemap": "XML",
    "robots_txt": "plain text",
    "learning:resources_feed": "an Atom feed",
    "learning:track_feed": "an Atom feed",
    "learning:track_export": "a Markdown download",
    "learning:progress_card": "an SVG image",
    "accounts:export_data": "a JSON download",
    "learning:calendar_feed": "an iCalendar feed",
    # A refused action answers the action_refused page, checked as a refused note and report.
    "learning:track_follow": "a POST action that redirects",
    "learning:track_goal": "a POST action that redirects",
    "learning:topic_status": "a POST action that redirects",
    "learning:topic_done_next": "a POST action that redirects",
    "learning:milestone_done": "a POST action that redirects",
    "learning:bookmark": "a POST action that redirects",
    "learning:rating_delete": "a POST action that redirects",
    "learning:project_delete": "a POST action that redirects",
    "learning:project_helpful": "a POST action that redirects (a refusal: the action_refused page)",
    "learning:project_report": "a POST action that redirects (a refusal: the action_refused page)",
    "learning:feedback_report": "a POST action that redirects (a refusal: the action_refused page)",
    "admin:logout": "POST only; it redirects",
    "admin:jsi18n": "JavaScript",
    "admin:autocomplete": "JSON",
    "admin:view_on_site": "a redirect to the site",
    "admin:learning_track_export": "a YAML download",
    "admin:learning_track_move": "a POST action that redirects",
    "admin:learning_stage_move": "a POST action that redirects",
    "admin:learning_milestone_move": "a POST action that redirects",
    "admin:learning_topic_move": "a POST action that redirects",
    "account_confirm_login_code": "login by code is off: it redirects to the login page",
    "socialaccount_signup": "only during a GitHub sign-up that needs more details; allauth redirects otherwise",
    # Django's admin answers 403 to everyone for these: reviews, reports and suggestions are written by
    # learners, never added or edited in the admin (learning/community/admin/base.py).
    "admin:learning_rating_add": "nobody may add a review in the admin",
    "admin:learning_reviewflag_add": "nobody may add a report in the admin",
    "admin:learning_resourcesuggestion_add": "nobody may add a suggestion in the admin",
    "admin:learning_projectsubmission_add": "nobody may add a learner's project in the admin",
    "admin:learning_projectfeedback_add": "nobody may add feedback in the admin",
    "admin:learning_projectflag_add": "nobody may add a report in the admin",
    "admin:learning_digestsent_add": "nobody may add a sent digest in the admin: send_digests does",
    # The task queue's admin (django-tasks-db's, plumbing/admin.py) is read-only: tasks are the worker's.
    "admin:django_tasks_database_dbtaskresult_add": "nobody may add a task in the admin",
    "admin:django_tasks_database_dbtaskresult_delete": "nobody may delete a task in the admin",
}


def rerun_the_curator_group_migration():
    """Live-server tests flush the database after each test, and with it the Curator group that data
    migration 0007 made: this runs that migration's function again, on the models as they were then."""
    if Group.objects.filter(name="Curator").exists():
        return
    migration = importlib.import_module("learning.migrations.0007_curator_group")
    state = MigrationLoader(connection).project_state(("learning", "0007_curator_group"))
    migration.create_group(state.apps, schema_editor=None)


def build_site() -> dict:
    """A catalogue with every feature a page can show, learners with progress and reviews, and staff."""
    rerun_the_curator_group_migration()
    python = TrackFactory(
        title="Python & Django",
        slug="python-django",
        position=1,
        summary="From zero to a deployed Django site.",
        body="## Who it is for\n\nAnyone who can write a **loop** and wants to build for the web.",
        tags=["python"],
    )
    backend = TrackFactory(title="Backend developer", slug="backend", position=2, tags=["tools"])
    basics = StageFactory(track=python, title="Basics", slug="basics", position=1, duration="months 1–3")
    web = StageFactory(track=python, title="The web", slug="web", position=2)
    git = TopicFactory(title="Git", slug="git", summary="Version control for every project.", tags=["tools"])
    http = TopicFactory(title="HTTP", slug="http", tags=["web"])
    orm = TopicFactory(title="The Django ORM", slug="django-orm", tags=["python"])
    postgres = TopicFactory(title="PostgreSQL", slug="postgresql", tags=["databases"])
    StepFactory(stage=basics, topic=git, position=1)
    StepFactory(stage=basics, topic=http, position=2)
    for topic, texts in (
        (
            git,
            ["You can undo a commit with `git revert`", "You can resolve a merge conflict", "You can rebase"],
        ),
        (
            http,
            ["You can read a request and its response in the browser's tools", "You know the status codes"],
        ),
    ):
        for position, text in enumerate(texts):
            ReadyCheck.objects.create(topic=topic, position=position, text=text)
    StepFactory(stage=web, topic=orm, position=1, is_optional=True)
    StepFactory(stage=web, topic=postgres, position=2)
    StepFactory(stage=StageFactory(track=backend, title="Foundations", position=1), topic=git, position=1)
    milestone = MilestoneFactory(
        stage=basics,
        title="Build a command-line to-do app",
        description="Commit every step with **Git**.\n\n| Command | Success | Errors |\n|---|---|---|\n"
        "| `todo add` | exit 0 | exit 2 |\n",
        difficulty="beginner",
        hours=8,
        stretch=["Sync the list over HTTP"],
    )
    milestone.topics.set([git, http])
    for position, text in enumerate(
        ["`todo add milk` adds an item", "`todo list` prints the items in order"]
    ):
        ChecklistItem.objects.create(milestone=milestone, position=position, text=text)
    TrackChange.objects.create(track=python, date="2026-12-02", change="Milestones have checklists.")
    MilestoneFactory(stage=web, title="Build a blog", position=2).topics.set([orm])

    pro_git = ResourceFactory(
        title="Pro Git",
        url="https://git-scm.com/book/en/v2",
        kind=Resource.Kind.BOOK,
        author="Scott Chacon and Ben Straub",
        description="The whole book, free online: from the first commit to Git's internals.",
        estimated_minutes=900,
        topics=[git],
        tags=["tools"],
    )
    ResourceFactory(title="Git reference manual", url="https://git-scm.com/docs", kind="docs", topics=[git])
    kinds = [choice for choice, _ in Resource.Kind.choices]
    for number in range(30):  # more than a page of /resources/ (24) and of a tag's resources
        ResourceFactory(
            title=f"Web guide {number}",
            kind=kinds[number % len(kinds)],
            topics=[[http, orm, postgres][number % 3]],
            tags=["web"],
        )

    learner = UserFactory(username="ada-lovelace", email="ada@example.com", profile_is_public=True)
    EmailAddress.objects.create(user=learner, email=learner.email, primary=True, verified=True)
    EmailAddress.objects.create(user=learner, email="ada@work.example", primary=False, verified=False)
    progress.follow_track(user=learner, track=python)
    progress.set_topic_status(user=learner, topic=git, status=TopicProgress.Status.DONE)
    # Its review is due (the dashboard's "Due for review" with its forms).
    TopicReview.objects.filter(user=learner, topic=git).update(due=timezone.now().date() - timedelta(days=1))
    progress.set_topic_status(user=learner, topic=http, status=TopicProgress.Status.LEARNING)
    progress.set_ready_ticks(user=learner, topic=git, check_ids={git.ready_checks.get(position=0).pk})
    progress.set_ready_ticks(
        user=learner, topic=http, check_ids=set(http.ready_checks.values_list("pk", flat=True))
    )
    progress.set_topic_status(user=learner, topic=orm, status=TopicProgress.Status.SKIPPED)
    progress.set_milestone_done(user=learner, milestone=milestone, done=True)
    progress.set_track_goal(user=learner, track=python, hours_per_week=6, study_days=0b0010101)
    progress.add_bookmark(user=learner, resource=pro_git, note="Chapters 2 and 3 first.")
    progress.save_topic_note(
        user=learner,
        topic=git,
        text="## Undo\n\n- `git restore --staged <file>`\n- see [the book](https://git-scm.com/book)",
    )
    rate_resource(user=learner, resource=pro_git, stars=5, review="The reference I keep coming back to.")

    others = [UserFactory(username=f"reviewer-{number}") for number in range(3)]
    reviews = [
        RatingFactory(user=other, resource=pro_git, stars=3 + number % 3, review=f"Review number {number}.")
        for number, other in enumerate(others)
    ]
    reported = RatingFactory(user=UserFactory(), resource=pro_git, stars=1, review="Buy my course instead!")
    flag_review(user=learner, rating=reported, reason="spam", note="An advertisement.")

    # Learners' projects for the milestone: the learner's own, others' (one featured, one with an open
    # report), with helpful marks and feedback, and feedback on the learner's.
    own_project, _ = projects.submit_project(
        user=learner,
        milestone=milestone,
        repository_url="https://github.com/ada/bookshelf",
        live_url="https://bookshelf.example.com/",
        write_up="## What I learned\n\nStatus codes **matter**.",
        checklist_met=[item.pk for item in milestone.checklist.all()[:2]],
        visibility="shared",
    )
    shared = []
    for number, other in enumerate(others):
        progress.set_milestone_done(user=other, milestone=milestone, done=True)
        project, _ = projects.submit_project(
            user=other,
            milestone=milestone,
            repository_url=f"https://codeberg.org/{other.username}/shelf",
            write_up=f"Project number {number}: *tested* end to end.",
            checklist_met=[item.pk for item in milestone.checklist.all()[: number + 1]],
            visibility="shared",
        )
        shared.append(project)
    ProjectSubmission.objects.filter(pk=shared[0].pk).update(is_featured=True)
    projects.mark_helpful(user=learner, submission=shared[0])
    projects.mark_helpful(user=others[1], submission=own_project)
    projects.leave_feedback(user=others[0], submission=own_project, text="Clear README, <b>nice</b> tests.")
    project_feedback = projects.leave_feedback(user=learner, submission=shared[1], text="Add pagination?")
    project_flag = projects.report_project(user=learner, submission=shared[2], reason="spam")

    curator = CuratorFactory(username="cleo", email="cleo@example.com")
    superuser = SuperuserFactory(username="root", email="root@example.com")
    ResourceSuggestionFactory(user=learner, topic=git, title="Git flight rules")
    accepted = ResourceSuggestionFactory(user=learner, topic=git, title="Oh Shit, Git!?")
    moderation.accept_suggestion(suggestion=accepted, curator=curator)
    rejected = ResourceSuggestionFactory(user=learner, topic=http, title="A paywalled course")
    moderation.reject_suggestion(suggestion=rejected, curator=curator, reason="It needs a paid account.")

    # A learner who signed up with GitHub: no password, a linked account.
    github = UserFactory(username="octocat", email="octocat@github.example", password=None)
    github.set_unusable_password()
    github.save()
    EmailAddress.objects.create(user=github, email=github.email, primary=True, verified=True)
    # Reminders on: the weekly digest (one sent) and the calendar feed, whose settings then differ.
    reminders.update_digest(user=github, is_on=True, weekday=4)
    reminders.new_calendar_token(user=github)
    digest_sent = DigestSent.objects.create(user=github, week=date(2026, 11, 30))
    app = SocialApp.objects.create(
        provider="github", name="GitHub", client_id="gh-client", secret="gh-secret"
    )
    account = SocialAccount.objects.create(user=github, provider="github", uid="583231", extra_data={})
    SocialToken.objects.create(app=app, account=account, token="gh-token")
    unconfirmed = EmailAddress.objects.create(user=UserFactory(), email="new@example.com", verified=False)
    # A mail whose first attempt failed, and its retry waiting in the queue (the task queue's admin).
    mail = {"subject": "Confirm", "body": "<Open the link>", "to": ["new@example.com"]}
    failed_mail = DBTaskResult.objects.create(
        task_path="plumbing.mail.deliver_mail",
        backend_name="default",
        args_kwargs={"args": [], "kwargs": {"message": mail, "attempt": 1}},
        status="FAILED",
        worker_ids=["worker-1"],
        started_at=timezone.now(),
        finished_at=timezone.now(),
        exception_class_path="plumbing.mail.MailDeferred",
        traceback="Traceback (most recent call last):\nConnectionRefusedError: [Errno 111] Connection refused\n",
    )
    DBTaskResult.objects.create(
        task_path="plumbing.mail.deliver_mail",
        backend_name="default",
        args_kwargs={"args": [], "kwargs": {"message": mail, "attempt": 2}},
        run_after=timezone.now() + timedelta(seconds=30),
    )

    return {
        "users": {"learner": learner, "github": github, "curator": curator, "superuser": superuser},
        "python": python,
        "milestone": milestone,
        "project": shared[0],
        "git": git,
        "http": http,
        "basics": basics,
        "web": web,
        "pro_git": pro_git,
        "reported": reported,
        "review": reviews[0],
        "pending": ResourceSuggestion.objects.get(title="Git flight rules"),
        "unconfirmed": unconfirmed,
        # One object for each model the admin edits: its change, history and delete pages.
        "admin_objects": {
            "auth.group": Group.objects.get(name="Curator"),
            "account.emailaddress": EmailAddress.objects.get(email=learner.email),
            "socialaccount.socialapp": app,
            "socialaccount.socialtoken": SocialToken.objects.get(),
            "socialaccount.socialaccount": account,
            "taggit.tag": Tag.objects.get(name="tools"),
            "accounts.user": learner,
            "learning.track": python,
            "learning.stage": basics,
            "learning.milestone": milestone,
            "learning.topic": git,
            "learning.resource": pro_git,
            "learning.rating": reported,
            "learning.reviewflag": reported.flags.get(),
            "learning.resourcesuggestion": ResourceSuggestion.objects.get(title="Git flight rules"),
            "learning.projectsubmission": own_project,
            "learning.projectfeedback": project_feedback,
            "learning.projectflag": project_flag,
            "learning.digestsent": digest_sent,
            "django_tasks_database.dbtaskresult": failed_mail,
        },
    }


def page_kinds(site) -> list[Page]:
    python, git, pro_git = site["python"], site["git"], site["pro_git"]
    learner = site["users"]["learner"]
    track, topic, resource = python.get_absolute_url(), git.get_absolute_url(), pro_git.get_absolute_url()
    # Someone who never logs in here: a login would change the user, and with it the key.
    forgetful = site["unconfirmed"].user
    reset_key = default_token_generator.make_token(forgetful)
    uid = user_pk_to_url_str(forgetful)
    pages = [
        # The catalogue, for a visitor and for a learner with progress.
        Page("home", "learning:home", "/", phone=True),
        Page("home-learner", "learning:home", "/", who="learner", phone=True),
        Page("tracks", "learning:track_list", "/tracks/", phone=True),
        Page("track", "learning:track_detail", track, phone=True),
        Page(
            "track-learner",
            "learning:track_detail",
            track,
            who="learner",
            phone=True,
            shows="roadmap-node--skipped",
        ),
        Page(
            "track-learner-goal",
            "learning:track_detail",
            track,
            who="learner",
            shows="Projected finish: <time",
        ),
        Page("track-reset", "learning:track_reset", f"{track}reset/", who="learner"),
        Page("milestone", "learning:milestone_detail", site["milestone"].get_absolute_url(), phone=True),
        Page(
            "milestone-learner",
            "learning:milestone_detail",
            site["milestone"].get_absolute_url(),
            who="learner",
            phone=True,
            shows='class="project"',
        ),
        Page(
            "milestone-learner-helpful",
            "learning:milestone_detail",
            f"{site['milestone'].get_absolute_url()}?sort=helpful",
            who="learner",
            shows="Edit your project",
        ),
        Page(
            "milestone-not-built",
            "learning:milestone_detail",
            site["milestone"].get_absolute_url(),
            who="github",
            shows="Mark it as built above",
        ),
        Page(
            "project-form",
            "learning:project_form",
            f"{site['milestone'].get_absolute_url()}project/",
            who="learner",
            phone=True,
            shows="Edit your project",
        ),
        Page(
            "project-form-not-built",
            "learning:project_form",
            f"{site['milestone'].get_absolute_url()}project/",
            who="github",
            shows="Projects are for milestones you built",
        ),
        Page(
            "project-form-refused",
            "learning:project_form",
            f"{site['milestone'].get_absolute_url()}project/",
            who="learner",
            status=400,
            post={"repository_url": "javascript:alert(1)", "live_url": "http://10.0.0.1/", "visibility": ""},
            shows="field--invalid",
        ),
        Page(
            "project-feedback-refused",  # the action_refused page
            "learning:project_feedback",
            f"/projects/{site['project'].pk}/feedback/",
            who="learner",
            status=400,
            post={"text": ""},
        ),
        Page("topic", "learning:topic_detail", topic, phone=True, shows="Log in to tick them off"),
        Page(
            "topic-in-track",
            "learning:topic_detail",
            f"{topic}?track={python.slug}",
            phone=True,
            shows='rel="next"',
        ),
        Page(
            "topic-learner",
            "learning:topic_detail",
            f"{topic}?track={python.slug}",
            who="learner",
            phone=True,
            shows="my-notes__text",
        ),
        Page(
            "topic-learner-no-note",
            "learning:topic_detail",
            "/topics/http/",
            who="learner",
            shows="mark the topic done",  # every "You're ready when" check ticked
        ),
        Page("topic-filtered", "learning:topic_detail", "/topics/http/?kind=docs&sort=newest&min_rating=9"),
        Page("suggest", "learning:suggest_resource", f"{topic}suggest/", who="learner"),
        Page(
            "suggest-refused",
            "learning:suggest_resource",
            f"{topic}suggest/",
            who="learner",
            status=400,
            post={"url": "javascript:alert(1)", "title": "", "kind": "article", "reason": ""},
        ),
        Page("resources", "learning:resource_list", "/resources/", phone=True, shows="pagination__off"),
        Page(
            "resources-page-2",
            "learning:resource_list",
            "/resources/?page=2",
            phone=True,
            shows="pagination__off",
        ),
        Page(
            "resources-filtered",
            "learning:resource_list",
            "/resources/?kind=docs&cost=free&tag=web&sort=title",
        ),
        Page("resources-ignored", "learning:resource_list", "/resources/?kind=nonsense&min_rating=x"),
        Page("resource", "learning:resource_detail", resource, phone=True, shows="Review number 0."),
        Page("resource-learner", "learning:resource_detail", resource, who="learner", phone=True),
        Page(
            "resource-rating-refused",  # the resource page again, with the form's errors
            "learning:rate",
            f"{resource}rating/",
            who="learner",
            status=400,
            post={"stars": "9", "review": ""},
        ),
        Page("search", "learning:search", "/search/?q=git", phone=True),
        Page("search-empty", "learning:search", "/search/"),
        Page("search-nothing", "learning:search", "/search/?q=zzyzx"),
        Page("search-did-you-mean", "learning:search", "/search/?q=postgress", shows="Did you mean"),
        Page("search-one-type", "learning:search", "/search/?q=web&type=resource&page=2"),
        Page("tags", "learning:tag_list", "/tags/"),
        Page("tag", "learning:tag_detail", "/tags/web/", phone=True),
        Page("tag-page-2", "learning:tag_detail", "/tags/web/?page=2"),
        Page("dashboard", "learning:dashboard", "/me/", who="learner", phone=True, shows="Your suggestions"),
        Page("dashboard-new", "learning:dashboard", "/me/", who="github"),
        Page("bookmarks", "learning:bookmarks", "/me/bookmarks/", who="learner", phone=True),
        Page("bookmarks-none", "learning:bookmarks", "/me/bookmarks/", who="github"),
        Page("notes", "learning:notes", "/me/notes/", who="learner", phone=True, shows="note-item"),
        Page("notes-none", "learning:notes", "/me/notes/", who="github"),
        Page("notes-not-found", "learning:notes", "/me/notes/?q=kubernetes", who="learner"),
        Page(
            "topic-ready-refused",  # the action_refused page
            "learning:topic_ready",
            f"{topic}ready/",
            who="learner",
            status=400,
            post={"check": ["nope"]},
        ),
        Page(
            "topic-note-refused",  # the action_refused page
            "learning:topic_note",
            f"{topic}note/",
            who="learner",
            status=400,
            post={"text": "x" * 20_001},
        ),
        Page(
            "note-refused",  # the action_refused page
            "learning:bookmark_note",
            f"/me/bookmarks/{learner.bookmarks.get().pk}/note/",
            who="learner",
            status=400,
            post={"note": "x" * 5000},
        ),
        Page(
            "review-answer-refused",  # the action_refused page
            "learning:topic_review",
            f"/reviews/{git.slug}/",
            who="learner",
            status=400,
            post={"answer": "maybe"},
        ),
        Page(
            "report-refused",  # the action_refused page
            "learning:flag_review",
            f"/reviews/{site['review'].pk}/flag/",
            who="learner",
            status=400,
            post={"reason": "nonsense", "note": ""},
        ),
        Page("profile", "learning:profile", f"/u/{learner.username}/", phone=True),
        Page("profile-own-private", "learning:profile", "/u/octocat/", who="github"),
        Page("profile-settings", "accounts:profile_settings", "/me/profile/", who="learner"),
        Page(
            "time-zone-refused",  # the settings page with the time zone's error
            "accounts:time_zone",
            "/me/profile/time-zone/",
            who="learner",
            status=400,
            post={"time_zone": "Mars/Olympus_Mons"},
        ),
        Page(
            "profile-settings-refused",
            "accounts:profile_settings",
            "/me/profile/",
            who="learner",
            status=400,
            post={"username": "no spaces allowed!", "profile_is_public": "on"},
        ),
        Page(
            "profile-settings-reminders-on",
            "accounts:profile_settings",
            "/me/profile/",
            who="github",
            shows="Reset the link",
        ),
        Page(
            "digest-refused",
            "accounts:digest",
            "/me/profile/digest/",
            who="learner",
            status=400,
            post={"digest_is_on": "on", "digest_weekday": "9"},
        ),
        Page(
            "calendar-refused",
            "accounts:calendar",
            "/me/profile/calendar/",
            who="learner",
            status=400,
            post={"action": "share"},
        ),
        Page(
            "study-time-refused",
            "accounts:study_time",
            "/me/profile/calendar/time/",
            who="learner",
            status=400,
            post={"study_starts_at": "19:15"},
        ),
        Page(
            "unsubscribe-ask",
            "accounts:digest_unsubscribe",
            f"/digest/unsubscribe/{reminders.unsubscribe_token(learner)}/",
            phone=True,
            shows="Unsubscribe from the weekly digest",
        ),
        Page(
            "unsubscribe-done",
            "accounts:digest_unsubscribe",
            f"/digest/unsubscribe/{reminders.unsubscribe_token(learner)}/",
            post={},
            shows="You're unsubscribed",
        ),
        Page("unsubscribe-unknown", "accounts:digest_unsubscribe", "/digest/unsubscribe/x:y:z/", status=404),
        Page("delete-account", "accounts:delete_account", "/me/delete/", who="learner"),
        # Error pages.
        Page("not-found", "", "/no-such-page/", status=404),
        Page("not-found-learner", "", "/topics/no-such-topic/", who="learner", status=404),
        Page("too-many-requests", "", "/429/", status=429, render=errors.too_many_requests),
        Page("server-error", "", "/500/", status=500, render=errors.server_error),
        Page("database-down", "", "/503/", status=503, render=errors.database_unavailable),
    ]
    accounts = [
        # allauth: logging in, signing up, passwords, email addresses, GitHub.
        Page("login", "account_login", "/accounts/login/"),
        Page(
            "login-refused",
            "account_login",
            "/accounts/login/",
            post={"login": "ada@example.com", "password": "wrong"},
        ),
        Page("signup", "account_signup", "/accounts/signup/"),
        Page(
            "signup-refused",
            "account_signup",
            "/accounts/signup/",
            post={"email": "not an address", "password1": "short", "password2": "other"},
        ),
        Page("logout", "account_logout", "/accounts/logout/", who="learner"),
        Page("inactive", "account_inactive", "/accounts/inactive/"),
        Page("reauthenticate", "account_reauthenticate", "/accounts/reauthenticate/", who="learner"),
        Page("emails", "account_email", "/accounts/email/", who="learner"),
        Page("verification-sent", "account_email_verification_sent", "/accounts/confirm-email/"),
        Page(
            "confirm-email",
            "account_confirm_email",
            f"/accounts/confirm-email/{EmailConfirmationHMAC(site['unconfirmed']).key}/",
        ),
        Page("confirm-email-expired", "account_confirm_email", "/accounts/confirm-email/expired-key/"),
        Page("password-change", "account_change_password", "/accounts/password/change/", who="learner"),
        Page("password-set", "account_set_password", "/accounts/password/set/", who="github"),
        Page("password-reset", "account_reset_password", "/accounts/password/reset/"),
        Page("password-reset-done", "account_reset_password_done", "/accounts/password/reset/done/"),
        Page(
            "password-reset-key",
            "account_reset_password_from_key",
            f"/accounts/password/reset/key/{uid}-{reset_key}/",
            follow=True,
            shows='name="password1"',
        ),
        Page(
            "password-reset-bad-key",
            "account_reset_password_from_key",
            f"/accounts/password/reset/key/{uid}-bad-key/",
        ),
        Page(
            "password-reset-key-done",
            "account_reset_password_from_key_done",
            "/accounts/password/reset/key/done/",
        ),
        Page("connections", "socialaccount_connections", "/accounts/3rdparty/", who="github"),
        Page("github-login", "github_login", "/accounts/github/login/?process=login"),
        Page("github-error", "socialaccount_login_error", "/accounts/3rdparty/login/error/", status=401),
        Page("github-cancelled", "socialaccount_login_cancelled", "/accounts/3rdparty/login/cancelled/"),
        Page("github-callback", "github_callback", "/accounts/github/login/callback/", status=401),
    ]
    return [
        *pages,
        *(replace(page, group="accounts") for page in accounts),
        *admin_pages(site),
    ]


# What shows that a change form has its inlines.
INLINES = {
    "learning.track": 'id="stages-group"',
    "learning.stage": 'id="milestones-group"',
    "learning.milestone": 'id="checklist-group"',
    "learning.topic": 'id="resource_links-group"',
}


def admin_pages(site) -> Iterator[Page]:
    def staff(name, covers, path, who="superuser", **options):
        return Page(name, covers, path, who=who, group="admin", **options)

    yield staff("admin-login", "admin:login", "/admin/login/", who="visitor")
    yield staff("admin-index", "admin:index", "/admin/")
    yield staff("admin-index-curator", "admin:index", "/admin/", who="curator")
    yield staff("admin-app", "admin:app_list", "/admin/learning/")
    yield staff("admin-health", "admin:learning_health", "/admin/learning/health/", who="curator")
    yield staff("admin-password-change", "admin:password_change", "/admin/password_change/")
    yield staff("admin-password-change-done", "admin:password_change_done", "/admin/password_change/done/")
    learner = site["users"]["learner"]
    yield staff(
        "admin-user-password",
        "admin:auth_user_password_change",
        f"/admin/accounts/user/{learner.pk}/password/",
    )
    yield staff("admin-tag-merge", "admin:taggit_tag_merge_tags", "/admin/taggit/tag/merge-tags/")
    for model in admin.site._registry:
        opts = model._meta
        prefix = f"admin:{opts.app_label}_{opts.model_name}"
        obj = site["admin_objects"][opts.label_lower]
        changelist = reverse(f"{prefix}_changelist")
        yield staff(f"admin-{opts.model_name}-list", f"{prefix}_changelist", changelist)
        if f"{prefix}_add" not in NOT_PAGES:
            yield staff(f"admin-{opts.model_name}-add", f"{prefix}_add", reverse(f"{prefix}_add"))
        for kind in ("change", "history", "delete"):
            if f"{prefix}_{kind}" in NOT_PAGES:
                continue
            path = reverse(f"{prefix}_{kind}", args=[obj.pk])
            shows = INLINES.get(opts.label_lower, "") if kind == "change" else ""
            yield staff(f"admin-{opts.model_name}-{kind}", f"{prefix}_{kind}", path, shows=shows)
    track, basics, web = site["python"], site["basics"], site["web"]
    change = f"/admin/learning/track/{track.pk}/change/"
    yield staff("admin-track-change-curator", "admin:learning_track_change", change, who="curator")
    stage = {"track": track.pk, "duration": "", "summary": ""}
    rows = [{**stage, "id": basics.pk, "position": 1, "title": "Basics", "slug": "basics"}]
    rows.append({**stage, "id": web.pk, "position": 2, "title": "", "slug": "web"})  # a row's error
    yield staff(
        "admin-track-change-refused",  # the form sent back with its errors, in the form and in a row
        "admin:learning_track_change",
        change,
        shows="errornote",
        post={
            **{"title": "", "slug": track.slug, "summary": track.summary, "tags": "python", "position": 1},
            **{"stages-TOTAL_FORMS": 2, "stages-INITIAL_FORMS": 2},
            **{"changes-TOTAL_FORMS": 0, "changes-INITIAL_FORMS": 0},
            **{
                f"stages-{index}-{key}": value for index, row in enumerate(rows) for key, value in row.items()
            },
        },
    )
    yield staff(
        "admin-resource-list-broken",
        "admin:learning_resource_changelist",
        "/admin/learning/resource/?link=broken&q=git",
    )
    yield staff(
        "admin-suggestion-reject",
        "admin:learning_resourcesuggestion_changelist",
        "/admin/learning/resourcesuggestion/",
        post={"action": "reject", "_selected_action": [site["pending"].pk]},
    )


# ---------- Coverage ----------


def named_urls(patterns=None, namespace="") -> Iterator[str]:
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from named_urls(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


@pytest.fixture(autouse=True)
def _database_queue(settings):
    """The task queue's admin pages read tasks as the database backend stores them (a retry's run_after)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def site(db):
    return build_site()


def test_every_named_page_is_checked_or_exempt_with_a_reason(site):
    covered = {page.covers for page in page_kinds(site)}
    names = set(named_urls())

    unchecked = sorted(names - covered - set(NOT_PAGES))
    assert not unchecked, f"Add these pages to page_kinds(), or to NOT_PAGES with a reason: {unchecked}"
    assert not (covered | set(NOT_PAGES)) - names - {""}, "a checked or exempt URL name no longer exists"
    assert not covered & set(NOT_PAGES), "a URL is both checked and exempt"
    kinds = page_kinds(site)
    assert len({page.name for page in kinds}) == len(kinds), "page names are unique"


# ---------- Fetching a page as its reader ----------


class Readers:
    """A test client for each kind of reader, logged in once."""

    def __init__(self, site):
        self.site = site
        self.clients: dict[str, Client] = {}

    def client(self, who: str) -> Client:
        if who not in self.clients:
            client = Client()
            if who != "visitor":
                client.force_login(self.site["users"][who])
            self.clients[who] = client
        return self.clients[who]

    def fetch(self, page: Page):
        if page.render is not None:
            request = RequestFactory().get(page.path)
            request.user = AnonymousUser()
            return page.render(request)
        client = self.client(page.who)
        if page.post is not None:
            return client.post(page.path, page.post)
        return client.get(page.path, follow=page.follow)


def fetched(readers: Readers, page: Page):
    response = readers.fetch(page)
    assert response.status_code == page.status, f"{page.name}: {page.path} answered {response.status_code}"
    assert response["Content-Type"].startswith("text/html"), f"{page.name}: {response['Content-Type']}"
    assert page.shows.encode() in response.content, f"{page.name}: {page.shows!r} is not on the page"
    return response


# ---------- The Nu HTML checker ----------


def nu_errors(files: list[Path]) -> list[dict]:
    """Runs the Nu HTML checker once over all the files (one JVM start); its errors, warnings left out."""
    java = shutil.which("java")
    assert java, MISSING_TOOL.format("java (Debian's default-jre-headless)")
    assert VNU_JAR.is_file(), MISSING_TOOL.format(VNU_JAR.relative_to(ROOT))
    result = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = json.loads(result.stderr or result.stdout)  # the checker writes its report to stderr
    return report["messages"]


# Errors in Django admin's own markup that the project cannot fix without copying Django's templates:
# {(page name, message): why}. Keep each one message on one page.
NU_THIRD_PARTY = {
    (
        "admin-user-password",
        "No “p” element in scope but a “p” end tag seen.",
    ): "Django 5.2's admin/auth/user/change_password.html puts the “Password-based authentication” help text, "
    "which Django's AdminPasswordChangeForm ends with a <ul> (the warning its CSS shows when “Disabled” is "
    "picked), inside a <p>; the browser closes the <p> before the list.",
}


def test_every_page_is_valid_html(site, tmp_path):
    readers = Readers(site)
    files = {}
    for index, page in enumerate(page_kinds(site)):
        path = tmp_path / f"{index:03d}-{page.name}.html"
        path.write_bytes(fetched(readers, page).content)
        files[path.name] = page.name

    messages = [
        message
        for message in nu_errors([tmp_path / name for name in files])
        if (files.get(message.get("url", "").rpartition("/")[2]), message["message"]) not in NU_THIRD_PARTY
    ]

    assert not messages, f"{len(messages)} errors from the Nu HTML checker:\n" + "\n".join(
        f"{Path(message.get('url', '?')).name}:{message.get('lastLine', '?')}:{message.get('firstColumn', '?')}: "
        f"{message['type']}: {message['message']}\n    {message.get('extract', '').strip()!r}"
        for message in messages
    )


# ---------- axe-core in Chromium ----------

# Violations inside Django admin's own markup, which the project could only change by copying Django's
# templates or JavaScript: (rule, CSS selector the element matches, why). Each is one rule on one selector.
THIRD_PARTY = [
    (
        "empty-table-header",
        ".tabular thead th:empty",
        "admin/edit_inline/tabular.html heads the column of each row's name, and the delete column of an "
        "inline without deletion, with an empty <th>.",
    ),
    (
        "link-in-text-block",
        ".breadcrumbs a",
        "Django's admin CSS draws the breadcrumb links without an underline, in a colour close to the "
        "separators' between them.",
    ),
    (
        "link-in-text-block",
        "#deleted-objects a",
        "admin/delete_confirmation.html lists what a deletion takes in sentences whose links the admin's CSS "
        "doesn't underline.",
    ),
    (
        "aria-prohibited-attr",
        ".help-tooltip.search-label-icon",
        "SelectFilter2.js (the two-box picker of groups and permissions) puts an aria-label on a <span> that "
        "has no role.",
    ),
    (
        "label",
        ".select2-search__field",
        "The select2 library behind autocomplete_fields draws the search box of a multiple choice without a "
        "label.",
    ),
    (
        "list",
        ".select2-selection__rendered",
        "select2 draws the chosen items of a multiple choice as a <ul> holding a <span>.",
    ),
]

AXE_RUN = """([exemptions, rules]) => axe.run(
  document, rules ? {runOnly: {type: "rule", values: rules}, resultTypes: ["violations"]} : {resultTypes: ["violations"]}
).then(results => results.violations
  .map(violation => ({
    id: violation.id,
    help: violation.help,
    nodes: violation.nodes
      .filter(node => {
        const element = node.target.length === 1 ? document.querySelector(node.target[0]) : null;
        return !exemptions.some(([rule, selector]) => rule === violation.id && element?.matches(selector));
      })
      .map(node => ({target: node.target.join(" "), summary: (node.failureSummary || "").replace(/\\s+/g, " ")})),
  }))
  .filter(violation => violation.nodes.length))"""

# Colours are measured where they end, not halfway through a transition (Django's admin has some, and
# ignores prefers-reduced-motion).
STILL = "*, *::before, *::after { transition: none !important; animation: none !important; }"


# The page is the same in both colour schemes but for its colours: the dark one reruns the rules about them.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]


def axe_violations(tab, rules: list[str] | None = None) -> list[dict]:
    """axe's violations on the tab's page: of every default rule, or of `rules` only."""
    return tab.evaluate(AXE_RUN, [[[rule, selector] for rule, selector, _ in THIRD_PARTY], rules])


def described(where: str, violation: dict) -> str:
    nodes = "\n".join(f"      {node['target']}  ({node['summary']})" for node in violation["nodes"][:6])
    more = len(violation["nodes"]) - 6
    return f"{where}: {violation['id']}: {violation['help']}\n{nodes}" + (
        f"\n      … {more} more" if more > 0 else ""
    )


class Tabs:
    """One browser tab per reader and screen size, logged in through the session cookie of a test client."""

    def __init__(self, browser, live_server, readers: Readers):
        self.browser, self.live_server, self.readers = browser, live_server, readers
        self.contexts: dict = {}

    def tab(self, who: str, viewport: dict):
        key = (who, viewport["width"])
        if key not in self.contexts:
            # axe is injected as a script of the page, which the site's strict CSP would refuse.
            context = self.browser.new_context(viewport=viewport, bypass_csp=True, reduced_motion="reduce")
            context.set_default_timeout(10_000)
            if who != "visitor":
                cookie = self.readers.client(who).cookies[settings.SESSION_COOKIE_NAME].value
                context.add_cookies(
                    [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": self.live_server.url}]
                )
            self.contexts[key] = (context, context.new_page())
        return self.contexts[key][1]

    def open(self, page: Page, viewport: dict):
        tab = self.tab(page.who, viewport)
        url = self.live_server.url + page.path
        if page.post is not None or page.render is not None:
            # A POST's answer or a view called directly: served to the tab as the site answered it.
            response = fetched(self.readers, page)
            url = f"{self.live_server.url}/__as-served__/{page.name}/"
            tab.route(
                url,
                lambda route: route.fulfill(
                    status=response.status_code, content_type=response["Content-Type"], body=response.content
                ),
            )
        answer = tab.goto(url)
        tab.add_style_tag(content=STILL)
        tab.add_script_tag(path=str(AXE_JS))
        assert answer is not None
        assert answer.status == page.status, f"{page.name}: {page.path} answered {answer.status}"
        if not page.follow:
            assert tab.url == url, f"{page.name}: {page.path} went to {tab.url}"
        return tab

    def close(self):
        for context, _ in self.contexts.values():
            context.close()


@pytest.mark.parametrize("group", ["site", "accounts", "admin", "phone"])
def test_no_page_has_an_accessibility_violation(browser, live_server, group):
    site = build_site()
    readers = Readers(site)
    tabs = Tabs(browser, live_server, readers)
    viewport = PHONE if group == "phone" else DESKTOP
    pages = [page for page in page_kinds(site) if (page.phone if group == "phone" else page.group == group)]
    found = []
    try:
        for page in pages:
            tab = tabs.open(page, viewport)
            for scheme, rules in (("light", None), ("dark", COLOUR_RULES)):
                tab.emulate_media(color_scheme=scheme)
                where = f"{page.name} ({page.who}, {scheme}, {viewport['width']}×{viewport['height']})"
                found += [described(where, violation) for violation in axe_violations(tab, rules)]
    finally:
        tabs.close()

    assert not found, f"{len(found)} axe violations on {len(pages)} pages:\n" + "\n".join(found)
