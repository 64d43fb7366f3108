"""The people pages: the search (by name, phone or its last four digits, 住院号, case
number) and a person's page. Agents find and read only the people on their lists or whom
they called; supervisors and admins everyone. The edits are in people_edits.py.
What is searched for never stands in a URL (views/kept_search.py)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from followups import clock
from followups.models import CaseStatus, Customer, TaskStatus
from followups.person_forms import CloseCaseForm, DeceasedForm, IntentForm
from followups.roles import REVIEW_OUTCOMES
from followups.selectors.audit_trail import label_targets
from followups.selectors.people_search import findable_q, is_phone_query, may_search, person_q
from followups.selectors.person_page import findable, person_page, person_with_stay
from followups.services import audit, contact, leases
from followups.views import kept_search
from followups.views.paging import query_without

HELD = (TaskStatus.SUSPENDED, TaskStatus.PENDING)
PAGE_SIZE = 25
TEMPLATES = "followups/people"
# A long history is cut to its newest rows, with a link to the whole of it (?all=1).
SHOWN_CALLS = 10
SHOWN_TASKS = 10
SHOWN_ESCALATIONS = 10


def searches(view):
    """A page for those who may search people (agents, supervisors, admins); 403 else."""

    @login_required
    @wraps(view)
    def checked(request, *args, **kwargs):
        if not may_search(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return checked


@searches
@require_http_methods(["GET", "POST"])
def search(request):
    if moved := kept_search.moved(request):
        return moved
    query = kept_search.query(request)
    found = (
        Customer.objects.filter(findable_q(request.user))
        .filter(person_q(query))
        .select_related("patient__department")
        .annotate(open_cases=Count("cases", filter=Q(cases__status=CaseStatus.OPEN)))
        .order_by("name", "pk")
    )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page")) if query else None
    if page is not None and is_phone_query(query):
        # Finding a person from a number is looking a number up: audited, without it.
        audit.record_list_read(
            actor=request.user,
            resource="people_search",
            ids=[person.pk for person in page],
            total=page.paginator.count,
            parameters=["phone"],
            page=page.number,
        )
    context = {
        "people_query": query,
        "page": page,
        "pager_query": query_without(request),
    }
    return render(request, f"{TEMPLATES}/search.html", context)


@searches
def detail(request, pk):
    return render_detail(request, pk)


def render_detail(request, pk, *, bound: dict | None = None, status: int = 200):
    """The person's page; `bound` holds an action's form refused, shown with its errors
    ({"close": (case id, form)}, {"intent": …}, {"deceased": form})."""
    customer = get_object_or_404(person_with_stay(pk))
    if not findable(request.user, customer.pk):
        raise PermissionDenied
    reviews = request.user.has_perm(REVIEW_OUTCOMES)
    page = person_page(customer=customer, full=reviews)
    label_targets(page.audit_events)
    bound = bound or {}
    now = timezone.now()
    held = [entry for entry in page.entries if leases.holds_live_claim(entry, request.user, now)]
    everything = request.GET.get("all") == "1"
    for case in page.cases:
        if not everything and len(case.task_list) > SHOWN_TASKS:
            # The newest follow-ups (those ahead of today are few: the plan's horizon).
            case.hidden_tasks = len(case.task_list) - SHOWN_TASKS
            case.task_list = case.task_list[-SHOWN_TASKS:]
        case.intent_form = _bound_for(bound, "intent", case) or IntentForm(
            initial={"intent_class": case.intent_class}, prefix=f"intent-{case.pk}"
        )
        case.close_form = _bound_for(bound, "close", case) or CloseCaseForm(
            prefix=f"close-{case.pk}"
        )
    open_ids = {case.pk for case in page.cases if case.is_open}
    context = {
        "customer": customer,
        "patient": getattr(customer, "patient", None),
        "page": page,
        "best_time": contact.best_time_text(page.best_time),
        "may_edit": reviews,
        "may_review": reviews,
        "held_entry": held[0] if held else None,
        "deceased_form": bound.get("deceased") or DeceasedForm(initial={"died_on": clock.today()}),
        "open_cases": [case for case in page.cases if case.is_open],
        "calls": page.calls if everything else page.calls[:SHOWN_CALLS],
        "escalations": page.escalations if everything else page.escalations[:SHOWN_ESCALATIONS],
        "cut": not everything
        and (len(page.calls) > SHOWN_CALLS or len(page.escalations) > SHOWN_ESCALATIONS),
        "held_for_number": sum(
            1
            for task in page.tasks
            if task.needs_number_fix and task.status in HELD and task.case_id in open_ids
        ),
    }
    return render(request, f"{TEMPLATES}/detail.html", context, status=status)


def _bound_for(bound: dict, action: str, case):
    if action in bound and bound[action][0] == case.pk:
        return bound[action][1]
    return None
