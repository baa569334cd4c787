"""The task queue in the admin: django-tasks-db's own list of tasks (read-only), with each mail's attempt
and when a queued attempt is due, so queued, failed and retried mail can be told apart."""

from django.conf import settings
from django.contrib import admin
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

MAIL_TASK = "plumbing.mail.deliver_mail"

admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskAdmin(DBTaskResultAdmin):
    list_display = (
        "id",
        "task_name",
        "status",
        "attempt",
        "enqueued_at",
        "display_run_after",
        "finished_at",
        "queue_name",
    )

    @admin.display(description="attempt")
    def attempt(self, obj: DBTaskResult) -> str:
        if obj.task_path != MAIL_TASK:
            return self.get_empty_value_display()
        attempt = obj.args_kwargs.get("kwargs", {}).get("attempt", 1)
        return f"{attempt} of {len(settings.MAIL_RETRY_DELAYS) + 1}"
