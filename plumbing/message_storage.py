"""Django's message storage (a signed cookie, the session for what doesn't fit) with the cookie named
`__Host-messages`, as the session and CSRF cookies are `__Host-…` in production: a browser then only accepts
it Secure, for the whole site and from this exact host, so no subdomain can plant a message.

Django names the cookie with CookieStorage's `cookie_name` attribute (there is no setting for it); it already
follows the session cookie's Secure, HttpOnly, SameSite and (empty) domain, and deletes a `__Host-` cookie
as Secure. Used in production only (settings.MESSAGE_STORAGE): over plain HTTP a browser refuses the name.
"""

from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.messages.storage.session import SessionStorage


class HostCookieStorage(CookieStorage):
    cookie_name = "__Host-messages"


class HostCookieFallbackStorage(FallbackStorage):
    storage_classes = (HostCookieStorage, SessionStorage)
