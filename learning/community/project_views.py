"""Learners' projects: submitting (and editing, deleting) one's project for a milestone built, marking
another's as helpful, leaving feedback, reporting a project or feedback. "Learner projects" itself is part of
the milestone's page (learning.pages.views.milestone_detail).

Each action is a POST form with CSRF that redirects back with a message; a refusal answers 400 (429 past a
limit) and stores nothing. A visitor is sent to log in; projects that aren't shown to others answer 404.
"""

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from learning.catalogue.queries import milestone_for_page
from learning.community import project_queries, project_services
from learning.community.forms import FeedbackForm, ProjectForm, ReviewFlagForm
from learning.progress.models import MilestoneCompletion
from plumbing.actions import back, learner_action, refused, safe_next, say
from plumbing.limits import limit_per_learner


def gallery_url(milestone) -> str:
    return f"{milestone.get_absolute_url()}#learner-projects"


def own_url(milestone) -> str:
    return f"{milestone.get_absolute_url()}#your-project"


@require_http_methods(["GET", "POST"])
@limit_per_learner("project")
def project_form(request, pk):
    """GET: the learner's project form (blank, or theirs to edit). POST: save it, or re-show it saying why
    not (400). Only for a milestone the learner marked as built."""
    if not request.user.is_authenticated:
        return redirect_to_login(safe_next(request, request.path))
    milestone = milestone_for_page(request.user, pk)
    project = project_queries.own_project(request.user, milestone)
    built = MilestoneCompletion.objects.filter(user=request.user, milestone=milestone).exists()
    if request.method == "GET":
        return project_page(request, milestone, ProjectForm.of(milestone, project), project, built)
    form = ProjectForm(request.POST, milestone=milestone)
    if form.is_valid():
        try:
            _, created = project_services.submit_project(
                user=request.user, milestone=milestone, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            say(
                request,
                "Your project is submitted." if created else "Your project is saved.",
                at="your-project",
            )
            return back(request, own_url(milestone))
    return project_page(request, milestone, form, project, built, status=400)


def project_page(request, milestone, form, project, built, *, status=200):
    context = {"milestone": milestone, "form": form, "project": project, "built": built}
    return render(request, "learning/project_form.html", context, status=status)


@learner_action
@limit_per_learner("project")
def delete_project(request, pk):
    milestone = milestone_for_page(request.user, pk)
    if project_services.delete_project(user=request.user, milestone=milestone):
        say(request, "Your project was deleted.", at="your-project")
    return back(request, own_url(milestone))


@learner_action
@limit_per_learner("helpful")
def mark_helpful(request, pk):
    """Marks another learner's shown project as helpful (value "1", once), or takes it back ("0")."""
    submission = project_queries.shown_project(pk)
    anchor = f"project-{submission.pk}"
    try:
        helpful = project_services.mark_helpful(
            user=request.user, submission=submission, helpful=request.POST.get("helpful", "1") != "0"
        )
    except ValidationError as error:
        return refused(request, _message_form(error), submission.milestone)
    say(request, "Marked as helpful. Thanks!" if helpful else "No longer marked as helpful.", at=anchor)
    return back(request, f"{submission.milestone.get_absolute_url()}#{anchor}")


@learner_action
@limit_per_learner("feedback")
def leave_feedback(request, pk):
    submission = project_queries.shown_project(pk)
    form = FeedbackForm(request.POST)
    if form.is_valid():
        try:
            project_services.leave_feedback(user=request.user, submission=submission, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            anchor = f"project-{submission.pk}"
            say(request, "Thanks — your feedback is posted.", at=anchor)
            return back(request, f"{submission.milestone.get_absolute_url()}#{anchor}")
    return refused(request, form, submission.milestone)


@learner_action
@limit_per_learner("report")
def report_project(request, pk):
    submission = project_queries.shown_project(pk)
    return _report(request, submission.milestone, f"project-{submission.pk}", submission=submission)


@learner_action
@limit_per_learner("report")
def report_feedback(request, pk):
    feedback = project_queries.shown_feedback(pk)
    return _report(request, feedback.submission.milestone, f"feedback-{feedback.pk}", feedback=feedback)


def _report(request, milestone, anchor, **reported):
    form = ReviewFlagForm(request.POST)
    if form.is_valid():
        report = (
            project_services.report_feedback if "feedback" in reported else project_services.report_project
        )
        try:
            report(user=request.user, **reported, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            say(request, "Thanks — a moderator will look at it.", at=anchor)
            return back(request, f"{milestone.get_absolute_url()}#{anchor}")
    return refused(request, form, milestone)


def _message_form(error: ValidationError) -> forms.Form:
    """A form carrying only the refusal's message, for the designed 400 page."""
    form = forms.Form({})
    form.is_valid()
    form.add_error(None, error)
    return form
