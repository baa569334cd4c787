"""One structured line per request on stdout: request id, user id, method, path, status, duration.

Never a password, token, session id or email address: no headers, bodies or query strings are logged, the
user is an id, and path segments that carry secrets (password-reset and email-confirmation keys) are
replaced before the path is written.
"""

import json
import logging
import re
import time
import uuid

logger = logging.getLogger("roadmap.requests")

# A request id from the proxy is kept if it looks like one; otherwise a new one is made.
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
# URL keyword arguments whose values are secrets (allauth's reset and confirmation links).
SECRET_KWARGS = {"key", "token", "uidb36", "uidb64"}
REDACTED = "[redacted]"


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming if REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        response["X-Request-ID"] = request.id
        logger.info(
            "request",
            extra={
                "request_id": request.id,
                "user_id": user_id(request),
                "method": request.method,
                "path": safe_path(request),
                "status": response.status_code,
                "duration_ms": duration_ms,
            },
        )
        return response


def user_id(request):
    """The user's id if the request already looked the user up; never a query just for the log."""
    user = getattr(request, "_cached_user", None)
    return user.pk if user is not None and user.is_authenticated else None


def safe_path(request) -> str:
    path = request.path
    match = getattr(request, "resolver_match", None)
    if match is not None:
        for name, value in match.kwargs.items():
            if name in SECRET_KWARGS and value:
                path = path.replace(str(value), REDACTED)
    return path


class JsonFormatter(logging.Formatter):
    """A JSON object per line: time, level, logger, message and the record's structured fields."""

    FIELDS = ("request_id", "user_id", "method", "path", "status", "duration_ms")

    def format(self, record):
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line |= {field: getattr(record, field) for field in self.FIELDS if hasattr(record, field)}
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)
