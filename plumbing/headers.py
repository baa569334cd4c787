"""Response headers Django doesn't set itself (CSP, COOP, Referrer-Policy and the rest come from django-csp
and Django's SecurityMiddleware): Cross-Origin-Resource-Policy, Permissions-Policy, and `Cache-Control:
private` on every response made for one browser.

A view may set its own value first, e.g. the embeddable progress card is `cross-origin` and `public`.
"""

from django.utils.cache import patch_cache_control

# Nothing on the site uses these browser features; denying them limits what injected content could do.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
        "interest-cohort",
    )
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if for_one_browser(request, response) and "public" not in response.get("Cache-Control", ""):
            # A shared cache (a CDN, a company proxy) must never hand it to anyone else.
            patch_cache_control(response, private=True)
        return response


def for_one_browser(request, response) -> bool:
    """The response was made from the browser's own session (a learner's pages: the session was read and
    is not empty) or sets a cookie (a login, a message to show once). Django's SessionMiddleware sends
    `Vary: Cookie` for the first, which no shared cache is obliged to honour; `private` obliges them.
    Reading the flags loads no session."""
    session = getattr(request, "session", None)  # none for what whitenoise answers before the sessions
    used_session = session is not None and session.accessed and not session.is_empty()
    return used_session or bool(response.cookies)
