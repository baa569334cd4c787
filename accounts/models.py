from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower


class User(AbstractUser):
    """The site's user. A custom model from the first migration, so fields can be added later.

    `username` is the learner's public handle (neutral, such as "learner-3f9a1c0b7e2d", until they choose
    one). It is unique ignoring case, so "Ada" and "ada" cannot be two people.
    """

    profile_is_public = models.BooleanField(
        "public profile",
        default=False,
        # HTML, as every help text (Django's forms and admin show it unescaped): hence &lt; and &gt;.
        help_text=(
            "Show the learner's handle, tracks and progress at /u/&lt;handle&gt;/. Off until they opt in."
        ),
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            models.UniqueConstraint(
                Lower("username"),
                name="user_username_unique_ignoring_case",
                violation_error_message="A user with that handle already exists.",
            )
        ]


def users_with_handle(handle: str):
    """The user whose handle is `handle` ignoring case: at most one, the database refuses a second."""
    return User.objects.alias(handle_key=Lower("username")).filter(handle_key=Lower(models.Value(handle)))
