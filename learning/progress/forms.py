"""Forms of a learner's progress actions: a topic's status, a milestone built, an answer to a review, a
bookmark's note, a topic's notes, a weekly goal."""

from django import forms

from learning.catalogue.models import ReadyCheck
from learning.progress.goals import bitmask_of
from learning.progress.models import GOAL_MAX_HOURS, NOTE_MAX_LENGTH, TOPIC_NOTE_MAX_LENGTH
from learning.progress.services import REFRESH, SOLID, STATUS_CHOICES


class TopicStatusForm(forms.Form):
    status = forms.ChoiceField(choices=STATUS_CHOICES)

    @classmethod
    def posted_for(cls, data, topic) -> "TopicStatusForm":
        """The topic page posts `status` (a value). A track page posts one form for all its nodes, each node's
        select named `status-<topic slug>` and sending its option's label ("Not started"), which keeps a page
        of thirty selects light: the topic's own select is read (the others are not) and its label mapped
        back to the value. Anything else stays as posted and fails validation."""
        if f"status-{topic.slug}" not in data:
            return cls({"status": data.get("status")})
        label = data[f"status-{topic.slug}"]
        return cls({"status": next((value for value, text in STATUS_CHOICES if text == label), label)})


class ContinueForm(forms.Form):
    """For “Done — next topic”: the track the learner walks (its slug); the view checks it holds the topic."""

    track = forms.SlugField(max_length=100, error_messages={"required": "Say which track to continue in."})


class MilestoneForm(forms.Form):
    done = forms.TypedChoiceField(
        choices=[("1", "Done"), ("0", "Not done")], coerce=lambda value: value == "1"
    )


class ReviewAnswerForm(forms.Form):
    """The learner's answer to a topic due for review (the dashboard's "Due for review")."""

    answer = forms.ChoiceField(
        choices=[(SOLID, "Still solid"), (REFRESH, "Need a refresher")],
        error_messages={"required": "Say whether the topic is still solid or needs a refresher."},
    )
    relearn = forms.BooleanField(required=False, label="and set it back to learning")

    def clean(self):
        data = super().clean() or {}
        if data.get("relearn") and data.get("answer") == SOLID:
            raise forms.ValidationError("Setting a topic back to learning goes with “Need a refresher”.")
        return data


class BookmarkNoteForm(forms.Form):
    note = forms.CharField(
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Only you can see it.",
    )


class TopicNoteForm(forms.Form):
    text = forms.CharField(
        label="My notes",
        required=False,
        max_length=TOPIC_NOTE_MAX_LENGTH,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Only you can see them. Markdown works. Empty them to delete.",
    )


class ReadyTicksForm(forms.Form):
    """The "You're ready when" checks a learner ticks on a topic page: ids of that topic's checks only."""

    check = forms.ModelMultipleChoiceField(
        queryset=ReadyCheck.objects.none(),
        required=False,
        label="You're ready when",
        error_messages={
            "invalid_choice": "%(value)s is not one of this topic's “You're ready when” checks.",
            "invalid_pk_value": "“%(pk)s” is not a check.",
        },
    )

    def __init__(self, data, *, topic):
        super().__init__(data)
        self.fields["check"].queryset = ReadyCheck.objects.filter(topic=topic)  # type: ignore[attr-defined]


class NoteSearchForm(forms.Form):
    q = forms.CharField(label="Search my notes", required=False, max_length=200)


DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class TrackGoalForm(forms.Form):
    """A weekly goal on a track: hours a week, and the weekdays to study on (none ticked: any day).
    `action=remove` removes the goal and reads nothing else."""

    hours_per_week = forms.IntegerField(
        label="Hours per week",
        min_value=1,
        max_value=GOAL_MAX_HOURS,
        error_messages={
            "required": "Say how many hours a week you mean to study.",
            "invalid": f"Hours per week is a whole number from 1 to {GOAL_MAX_HOURS}.",
            "min_value": f"Hours per week go from 1 to {GOAL_MAX_HOURS}.",
            "max_value": f"Hours per week go from 1 to {GOAL_MAX_HOURS}.",
        },
    )
    study_days = forms.TypedMultipleChoiceField(
        label="Study days",
        required=False,
        coerce=int,
        choices=[(str(weekday), name) for weekday, name in enumerate(DAY_NAMES)],
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: any day.",
        error_messages={"invalid_choice": "Study days are days of the week, Monday to Sunday."},
    )

    @property
    def study_days_mask(self) -> int:
        return bitmask_of(self.cleaned_data["study_days"])
