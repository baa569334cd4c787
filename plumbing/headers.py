"""Two response headers Django doesn't set itself (CSP, COOP, Referrer-Policy and the rest come from
django-csp and Django's SecurityMiddleware): Cross-Origin-Resource-Policy and Permissions-Policy.

A view may set its own value first, e.g. the embeddable progress card is `cross-origin`.
"""

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
        return response
