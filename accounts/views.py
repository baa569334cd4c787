"""The learner's own settings pages outside allauth: the public profile (handle and opt-in), downloading
all their data, and deleting their account."""

import json

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts import personal_data, reminders, services
from accounts.forms import (
    CalendarForm,
    DeleteAccountForm,
    DigestForm,
    ProfileSettingsForm,
    StudyTimeForm,
    TimeZoneForm,
)
from plumbing.actions import say


@login_required
def profile_settings(request):
    """GET shows the forms; POST saves the public profile for request.user only (a posted user or pk is
    ignored). The time zone has its own form and URL (time_zone)."""
    user = request.user
    if request.method == "POST":
        form = ProfileSettingsForm(request.POST, user=user)
        if form.is_valid() and form.save():
            if user.profile_is_public:
                messages.success(request, f"Saved. Your profile is public at /u/{user.username}/.")
            else:
                messages.success(request, "Saved. Your profile is private: only you can see it.")
            return redirect("accounts:profile_settings")
        return settings_page(request, profile_form=form, status=400)
    return settings_page(request)


@require_POST
@login_required
def time_zone(request):
    form = TimeZoneForm(request.POST)
    if not form.is_valid():
        return settings_page(request, zone_form=form, status=400)
    services.update_time_zone(user=request.user, time_zone=form.cleaned_data["time_zone"])
    return saved(request, "time-zone", f"Saved. Your days now start at midnight in {request.user.time_zone}.")


@require_POST
@login_required
def digest(request):
    form = DigestForm(request.POST)
    if not form.is_valid():
        return settings_page(request, digest_form=form, status=400)
    user = request.user
    reminders.update_digest(
        user=user, is_on=form.cleaned_data["digest_is_on"], weekday=form.cleaned_data["digest_weekday"]
    )
    if not user.digest_is_on:
        return saved(request, "digest", "Saved. You get no weekly digest.")
    day = user.get_digest_weekday_display()
    return saved(request, "digest", f"Saved. Your weekly digest comes on {day}s, {user.time_zone} time.")


CALENDAR_SAID = {
    "off": "Your calendar feed is off: its address answers “not found” from now on.",
    "reset": "Your calendar feed has a new address; the old one no longer works.",
    "on": "Your calendar feed is on. Add its address to your calendar app.",
}


@require_POST
@login_required
def calendar(request):
    form = CalendarForm(request.POST)
    if not form.is_valid():
        return settings_page(request, calendar_form=form, status=400)
    action = form.cleaned_data["action"]
    if action == "off":
        reminders.turn_calendar_off(user=request.user)
    else:
        reminders.new_calendar_token(user=request.user)
    return saved(request, "calendar", CALENDAR_SAID[action])


@require_POST
@login_required
def study_time(request):
    form = StudyTimeForm(request.POST)
    if not form.is_valid():
        return settings_page(request, study_time_form=form, status=400)
    user = request.user
    reminders.set_study_time(user=user, starts_at=form.cleaned_data["study_starts_at"])
    starts = f"{user.study_starts_at:%H:%M}"
    return saved(request, "calendar", f"Saved. Your study sessions start at {starts}, {user.time_zone} time.")


def saved(request, anchor: str, text: str):
    """Says `text` in the settings page's section `anchor` and goes back to it there."""
    say(request, text, at=anchor)
    return redirect(reverse("accounts:profile_settings") + f"#{anchor}")


@csrf_exempt
@never_cache
def unsubscribe(request, token):
    """The digest's unsubscribe link, without logging in (the signed token names the learner): GET asks
    (a mail scanner that follows links must not unsubscribe anyone), POST turns the digest off. The POST is
    also RFC 8058's one-click unsubscribe, which mail clients send without a CSRF token. A tampered or
    unknown token is a 404 page that changes nothing."""
    user = reminders.user_of_unsubscribe_token(token)
    if user is None:
        return render(request, "accounts/digest_unsubscribe.html", {"state": "unknown"}, status=404)
    if request.method == "POST":
        reminders.unsubscribe(user=user)
        return render(request, "accounts/digest_unsubscribe.html", {"state": "done", "learner": user})
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    return render(request, "accounts/digest_unsubscribe.html", {"state": "ask", "learner": user})


def settings_page(
    request,
    *,
    profile_form=None,
    zone_form=None,
    digest_form=None,
    calendar_form=None,
    study_time_form=None,
    status=200,
):
    user = request.user
    context = {
        "form": profile_form
        or ProfileSettingsForm(
            initial={
                "username": user.username,
                "profile_is_public": user.profile_is_public,
                "streak_is_public": user.streak_is_public,
            },
            user=user,
        ),
        "zone_form": zone_form or TimeZoneForm(initial={"time_zone": user.time_zone}),
        "digest_form": digest_form
        or DigestForm(initial={"digest_is_on": user.digest_is_on, "digest_weekday": user.digest_weekday}),
        "calendar_form": calendar_form,
        "study_time_form": study_time_form
        or StudyTimeForm(initial={"study_starts_at": f"{user.study_starts_at:%H:%M}"}),
        "calendar_url": (
            request.build_absolute_uri(reverse("learning:calendar_feed", args=[user.calendar_token]))
            if user.calendar_token
            else ""
        ),
        "profile_url": request.build_absolute_uri(reverse("learning:profile", args=[user.username])),
    }
    return render(request, "accounts/profile_settings.html", context, status=status)


@never_cache
@login_required
def export_data(request):
    """Everything the learner owns, as a JSON download."""
    document = personal_data.export_for(request.user)
    response = HttpResponse(
        json.dumps(document, indent=2, ensure_ascii=False), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="roadmap-data-{request.user.username}.json"'
    return response


@never_cache
@login_required
@reauthentication_required(allow_get=True)
def delete_account(request):
    """GET explains what goes; POST, after a recent re-authentication and the typed handle, deletes it all."""
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            personal_data.delete_account(request, user=request.user)
            messages.success(
                request, "Your account and everything in it are deleted. Thank you for learning here."
            )
            return redirect("learning:home")
        return render(request, "accounts/delete_account.html", {"form": form}, status=400)
    return render(request, "accounts/delete_account.html", {"form": form})
