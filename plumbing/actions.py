"""Learner actions: POST forms with CSRF that redirect back to the page they came from.

With JavaScript, htmx follows the same redirect and swaps in the parts that changed. A visitor's POST goes to
the login page and stores nothing; a refused input answers the designed 400 page and stores nothing.

The confirmation is said where the learner's eye is: `say(request, text, at="rate")` ties the message to the
section the redirect returns to (`#rate`), and the page shows it inside that section
(`{% messages_at "rate" %}`, plumbing.templatetags.notices), so it is in view after the jump, and inside the
fragment htmx swaps. A message without `at`, or whose section the page doesn't have, shows at the top.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST


def safe_next(request, fallback: str) -> str:
    """The `next` the form carried if it stays on this site, else the fallback."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


def learner_action(view):
    """POST only; a visitor is sent to log in and comes back to the page the form was on."""

    @require_POST
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(safe_next(request, request.path))
        return view(request, *args, **kwargs)

    return wrapper


def back(request, fallback: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(safe_next(request, fallback))


def refused(request, form, what):
    """The designed 400 page naming what could not be saved and why; nothing was stored."""
    return render(request, "action_refused.html", {"form": form, "what": what}, status=400)


ANCHOR_TAG = "at:"


def say(request, text: str, *, at: str = "", level: int = messages.SUCCESS) -> None:
    """Queues a message for the next page, shown inside the element whose id is `at` (else at the top)."""
    messages.add_message(request, level, text, extra_tags=f"{ANCHOR_TAG}{at}" if at else "")


def anchor_of(message) -> str:
    """The id of the section a message belongs to (`say(..., at=...)`), or "" for the top of the page."""
    for tag in (message.extra_tags or "").split():
        if tag.startswith(ANCHOR_TAG):
            return tag.removeprefix(ANCHOR_TAG)
    return ""
