"""The learner's own settings pages outside allauth: the public profile (handle and opt-in)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.forms import ProfileSettingsForm


@login_required
def profile_settings(request):
    """GET shows the form; POST saves it for request.user only (a posted user or pk is ignored)."""
    user = request.user
    if request.method == "POST":
        form = ProfileSettingsForm(request.POST, user=user)
        if form.is_valid() and form.save():
            if user.profile_is_public:
                messages.success(request, f"Saved. Your profile is public at /u/{user.username}/.")
            else:
                messages.success(request, "Saved. Your profile is private: only you can see it.")
            return redirect("accounts:profile_settings")
        status = 400
    else:
        form = ProfileSettingsForm(
            initial={"username": user.username, "profile_is_public": user.profile_is_public}, user=user
        )
        status = 200
    context = {
        "form": form,
        "profile_url": request.build_absolute_uri(reverse("learning:profile", args=[user.username])),
    }
    return render(request, "accounts/profile_settings.html", context, status=status)
