"""What a paged list's links carry over: the request's filters, without its page."""


def query_without(request, *names: str) -> str:
    """The request's query string without `page` and `names`, for the pager's links to add
    their own page to."""
    query = request.GET.copy()
    for name in ("page", *names):
        query.pop(name, None)
    return query.urlencode()
