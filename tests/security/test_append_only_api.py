"""The API neither changes nor deletes what happened: no endpoint serving call records,
script answers or audit events takes PUT, PATCH or DELETE (a correction is a new record)."""

from django.urls import URLPattern, URLResolver, get_resolver

from followups.models import AuditEvent, CallAttempt, ScriptAnswer

APPEND_ONLY = {CallAttempt, ScriptAnswer, AuditEvent}
WRITES = {"put", "patch", "delete"}


def api_patterns(patterns=None, prefix=""):
    """(route, URLPattern) of every API URL."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from api_patterns(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and route.lstrip("^").startswith("api/"):
            yield route, pattern


def served_model(view_class):
    queryset = getattr(view_class, "queryset", None)
    if queryset is not None:
        return queryset.model
    meta = getattr(getattr(view_class, "serializer_class", None), "Meta", None)
    return getattr(meta, "model", None)


def writes_of(callback, view_class) -> set[str]:
    actions = getattr(callback, "actions", None)  # a viewset's route: method -> action
    methods = set(actions) if actions else {m for m in WRITES if hasattr(view_class, m)}
    return methods & WRITES


def test_no_api_endpoint_changes_or_deletes_an_append_only_record():
    views, wrong = 0, []
    for route, pattern in api_patterns():
        view_class = getattr(pattern.callback, "cls", None)
        if view_class is None:
            continue
        views += 1
        if served_model(view_class) in APPEND_ONLY and writes_of(pattern.callback, view_class):
            wrong.append(f"{route} ({pattern.name})")
    assert views > 10, "the walk over the URLconf found no API views"
    assert not wrong, "Append-only records written through the API: " + ", ".join(wrong)


def test_the_check_sees_a_viewset_that_would_delete_a_call_record():
    """The test above would catch one: a viewset of call records with destroy."""
    from rest_framework import mixins, viewsets

    class Deleting(mixins.DestroyModelMixin, viewsets.GenericViewSet):
        queryset = CallAttempt.objects.all()

    callback = Deleting.as_view({"delete": "destroy"})
    assert served_model(callback.cls) is CallAttempt
    assert writes_of(callback, callback.cls) == {"delete"}
