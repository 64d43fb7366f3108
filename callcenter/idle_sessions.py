"""Sessions end after HUIFANG_SESSION_IDLE_MINUTES without the person doing anything.

A session lives SESSION_COOKIE_AGE (set to the idle time) from its last save, in the
database and in the browser's cookie alike; Django then treats it as gone. This middleware
saves a signed-in person's session again on what they do, at most once a minute, so the
time runs from their last click. What a page does by itself does not count: the urgent
alert's poll and the claim's renewal send `X-Huifang-Background: 1` (templates/base.html,
the lease partial), so a screen left open alone still ends signed out.

When the session has ended, what a click on a page asks by htmx would be refused (403,
which htmx does not swap: nothing happens) or sent to the login (whose page would land
in a fragment); it gets `HX-Redirect` instead, so the whole page goes to the login, and
back to where it was after it. (The urgent alert's poll stays quiet: 204, its own rule.)
"""

import time
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.http import HttpResponse
from django.shortcuts import resolve_url

TOUCH_EVERY_SECONDS = 60
BACKGROUND_HEADER = "HTTP_X_HUIFANG_BACKGROUND"
_TOUCHED = "huifang_touched"


class IdleSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            self._touch(request)
        elif request.headers.get("HX-Request") and self._needs_login(response):
            return self._redirect_page(request)
        return response

    @staticmethod
    def _touch(request) -> None:
        session = request.session
        # Only a session sign-in: a token on the API has no session to keep alive.
        if request.META.get(BACKGROUND_HEADER) or SESSION_KEY not in session:
            return
        now = int(time.time())
        if now - session.get(_TOUCHED, 0) >= TOUCH_EVERY_SECONDS:
            session[_TOUCHED] = now  # marks it modified: SessionMiddleware saves it

    @staticmethod
    def _needs_login(response) -> bool:
        if response.status_code in (401, 403):
            return True
        if response.status_code not in (301, 302, 303):
            return False
        login = resolve_url(settings.LOGIN_URL)
        return urlsplit(response.get("Location", "")).path == login

    @staticmethod
    def _redirect_page(request) -> HttpResponse:
        from django.contrib.auth.views import redirect_to_login

        page = urlsplit(request.headers.get("HX-Current-URL", ""))
        current = page.path + (f"?{page.query}" if page.query else "") if page.path else "/"
        target = redirect_to_login(current)["Location"]
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
