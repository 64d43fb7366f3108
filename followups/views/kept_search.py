"""A name or a phone number searched for never stands in a URL, where it would reach the
browser's history, the Referer of the next page and the servers' access logs.

The search boxes (the people search, the call outcomes' and the escalations' filters) post
their fields. `moved` answers a request carrying the search `q` (a post, or an old link
with ?q=) with a redirect to the same page whose address holds the other fields and, in
place of `q`, a random key `s`: the session keeps the search under it (its SEARCHES_KEPT
newest searches), so the results' pages, the Back button and an export keep working for
whoever searched, and for nobody else. `searched(request)` gives the page's fields with the
search put back, for the page's filters."""

import secrets

from django.contrib import messages
from django.http import HttpResponseRedirect, QueryDict
from django.utils.translation import gettext as _

KEY = "s"
SEARCHES = "kept_searches"
SEARCHES_KEPT = 20
LONGEST = 80


def moved(request) -> HttpResponseRedirect | None:
    """The redirect to the page's address without the search in it, when the request
    carries one (posted or in the URL), or names a search no longer kept (then without
    it, saying so: the page never quietly shows what the search had narrowed); None
    otherwise."""
    fields = request.POST if request.method == "POST" else request.GET
    if "q" not in fields and forgotten(request):
        fields = fields.copy()
        fields["q"] = ""
        messages.warning(request, no_longer_kept())
    if "q" not in fields:
        return None
    kept = fields.copy()
    for name in ("q", KEY, "page", "csrfmiddlewaretoken"):
        kept.pop(name, None)
    query = fields.get("q", "").strip()[:LONGEST]
    if query:
        kept[KEY] = _key(request, query)
    address = kept.urlencode()
    return HttpResponseRedirect(f"{request.path}?{address}" if address else request.path)


def no_longer_kept() -> str:
    return _("This search is no longer kept: search again.")


def query(request) -> str:
    """The search the page's key `s` stands for in this session; "" when none or no longer
    kept."""
    return request.session.get(SEARCHES, {}).get(request.GET.get(KEY, ""), "")


def forgotten(request) -> bool:
    """The page names a search the session no longer keeps (another session's, or an old one)."""
    return bool(request.GET.get(KEY)) and not query(request)


def searched(request) -> QueryDict:
    """The page's fields (its query string) with `s` replaced by the search it stands for."""
    fields = request.GET.copy()
    fields.pop(KEY, None)
    if found := query(request):
        fields["q"] = found
    return fields


def _key(request, query: str) -> str:
    """The session's key for `query` (the one it had, or a new one), kept as the newest."""
    kept = request.session.get(SEARCHES, {})
    key = next((key for key, value in kept.items() if value == query), None)
    kept.pop(key, None)
    key = key or secrets.token_urlsafe(6)
    request.session[SEARCHES] = dict([*list(kept.items())[-(SEARCHES_KEPT - 1) :], (key, query)])
    return key
