"""The resource endpoints: departments, customers, patients, cases, tasks, call lists,
escalations, report figures and patient imports (Part 6); the scripts' are in scripts.api.

Every view reads with its model's view permission and writes, in the actions it names, with
its add or change permission (followups.api.permissions); agents read only the tasks of
their own calls and what those tasks need, and nothing medical of a sensitive patient. Each
page of people's data read (patients, customers, cases) is one audit event.
"""

from django.contrib.auth import get_permission_codename
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from followups import reports_api
from followups.api import filters
from followups.api import serializers as s
from followups.api.permissions import HasPermission, RolePermission, is_agent_only
from followups.models import (
    CallList,
    Case,
    Customer,
    Department,
    Escalation,
    FollowUpTask,
    ImportJob,
    Patient,
    QueueEntryStatus,
)
from followups.roles import REVIEW_OUTCOMES
from followups.services import audit, escalation_workflow, import_jobs, people
from followups.services.imports import ImportFileError, import_patients, resolve_hospital


def agent_tasks(user):
    """The tasks of an agent's own calls: given to them, on their lists, or called by them."""
    return FollowUpTask.objects.filter(
        Q(agent=user)
        | Q(queue_entries__assigned_agent=user)
        | Q(queue_entries__claimed_by=user)
        | Q(attempts_made__agent=user)
    )


def agent_cases(user):
    return Case.objects.filter(pk__in=agent_tasks(user).values("case_id"))


# The Django permission (of the viewset's model) each writing action needs.
WRITE_VERBS = {"create": "add", "update": "change", "partial_update": "change"}


class ResourceViewSet(viewsets.GenericViewSet):
    permission_classes = [RolePermission]
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    agents_may_read = False
    # An agent's read narrowed to the rows of their own calls: a function of the user giving
    # the rows' ids (None: an agent who may read reads every row).
    agents_rows = None
    # The writing actions it has; each needs Django's add or change permission of the model.
    writing_actions: tuple[str, ...] = ()
    change_serializer_class = None

    @property
    def view_permission(self) -> str:
        """Reads need Django's view permission of the model."""
        return self._model_permission("view")

    @property
    def write_permissions(self) -> dict[str, str]:
        """The permission each writing action needs (RolePermission)."""
        return {
            action: self._model_permission(WRITE_VERBS[action]) for action in self.writing_actions
        }

    def _model_permission(self, verb: str) -> str:
        meta = self.queryset.model._meta
        return f"{meta.app_label}.{get_permission_codename(verb, meta)}"

    def get_queryset(self):
        rows = super().get_queryset()
        if self.agents_rows is not None and self.agent_only():
            rows = rows.filter(pk__in=self.agents_rows(self.request.user))
        return rows

    def get_serializer_class(self):
        if self.action in {"update", "partial_update"} and self.change_serializer_class:
            return self.change_serializer_class
        return self.serializer_class

    def agent_only(self) -> bool:
        return is_agent_only(self.request.user, self.view_permission)


# Read one by one, added and changed; its list comes from a list mixin before it. (No
# docstring: the schema would take it for the description of the views without one.)
class WritableResourceViewSet(
    mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, ResourceViewSet
):
    writing_actions = ("create", "update", "partial_update")


class ChangedByServiceMixin:
    """Updates read by `change_serializer_class`, written by `apply_change` (a service) and
    answered with `serializer_class`'s view of the changed object (say so to the schema with
    `answers_with`). Comes before UpdateModelMixin."""

    def update(self, request, *args, **kwargs):
        return self._change(request, partial=False)

    def partial_update(self, request, *args, **kwargs):
        return self._change(request, partial=True)

    def _change(self, request, *, partial: bool) -> Response:
        target = self.get_object()
        change = self.change_serializer_class(target, data=request.data, partial=partial)
        change.is_valid(raise_exception=True)
        changed = self.apply_change(target, change)
        return Response(self.serializer_class(changed, context=self.get_serializer_context()).data)


def answers_with(serializer) -> dict:
    """extend_schema_view's arguments for ChangedByServiceMixin: what an update answers."""
    return {action: extend_schema(responses=serializer) for action in ("update", "partial_update")}


class AuditedListModelMixin(mixins.ListModelMixin):
    """The list of a resource of people's data: each page read writes one READ_LIST audit
    event (the ids on it, the counts, the names of the filters), whoever reads it."""

    audit_resource = ""

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(queryset) if page is None else page
        data = self.get_serializer(rows, many=True).data
        audit.record_list_read(
            actor=request.user,
            resource=self.audit_resource,
            ids=[row.pk for row in rows],
            total=len(rows) if page is None else self.paginator.page.paginator.count,
            parameters=request.query_params.keys(),
            page=None if page is None else self.paginator.page.number,
        )
        return Response(data) if page is None else self.get_paginated_response(data)


class DepartmentViewSet(mixins.ListModelMixin, WritableResourceViewSet):
    """Departments of the hospitals; agents may read them (a call names the department)."""

    queryset = Department.objects.all()
    serializer_class = s.DepartmentSerializer
    filterset_class = filters.DepartmentFilter
    ordering_fields = ["name", "code", "id"]
    agents_may_read = True


class CustomerViewSet(AuditedListModelMixin, WritableResourceViewSet):
    """People to call; numbers are written in full and always read back masked."""

    audit_resource = "customers"
    queryset = Customer.objects.all()
    serializer_class = s.CustomerSerializer
    filterset_class = filters.CustomerFilter
    ordering_fields = ["name", "created_at", "id"]
    agents_may_read = True
    agents_rows = staticmethod(lambda user: agent_cases(user).values("customer"))

    def perform_update(self, serializer):
        number_before = serializer.instance.phone
        customer = serializer.save()
        if customer.phone != number_before:
            people.resume_after_number_fix(
                customer=customer, by=self.request.user, now=timezone.now()
            )


class PatientViewSet(AuditedListModelMixin, WritableResourceViewSet):
    """What the hospital knows of a stay. An agent reads the patients of their own calls,
    and of a sensitive one nothing medical (`medical_withheld`): the call screen says it
    once the person's identity is confirmed."""

    audit_resource = "patients"
    queryset = Patient.objects.select_related("customer")
    serializer_class = s.PatientSerializer
    filterset_class = filters.PatientFilter
    ordering_fields = ["discharged_on", "admitted_on", "medical_record_number", "id"]
    agents_may_read = True
    agents_rows = staticmethod(lambda user: agent_cases(user).values("patient"))

    def get_serializer_context(self):
        context = super().get_serializer_context()
        user = getattr(self.request, "user", None)
        context["withhold_medical"] = user is not None and self.agent_only()
        return context


@extend_schema_view(**answers_with(s.CaseSerializer))
class CaseViewSet(ChangedByServiceMixin, AuditedListModelMixin, WritableResourceViewSet):
    """Cases; creating one opens it through the case service, which makes its tasks."""

    audit_resource = "cases"
    queryset = Case.objects.select_related("customer", "plan_rule__department")
    serializer_class = s.CaseSerializer
    change_serializer_class = s.CaseChangeSerializer
    filterset_class = filters.CaseFilter
    ordering_fields = ["anchor_date", "created_at", "id"]
    agents_may_read = True
    agents_rows = staticmethod(lambda user: agent_tasks(user).values("case_id"))

    def apply_change(self, case: Case, change) -> Case:
        change.save()  # through services.cases.change_case
        return case


class FollowUpTaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ResourceViewSet):
    queryset = FollowUpTask.objects.all()
    serializer_class = s.FollowUpTaskSerializer
    filterset_class = filters.FollowUpTaskFilter
    ordering_fields = ["due_date", "earliest_at", "attempts", "id"]
    agents_may_read = True
    agents_rows = staticmethod(lambda user: agent_tasks(user).values("pk"))


class CallListViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ResourceViewSet):
    """The daily call lists; their entries page by page under …/entries/."""

    queryset = CallList.objects.annotate(entry_count=Count("entries")).order_by("-day")
    serializer_class = s.CallListSerializer
    filterset_class = filters.CallListFilter
    ordering_fields = ["day", "id"]

    @extend_schema(
        responses=s.QueueEntrySerializer(many=True),
        parameters=[
            OpenApiParameter("status", str, enum=QueueEntryStatus.values),
            OpenApiParameter("assigned_agent", int),
            OpenApiParameter("claimed_by", int),
        ],
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def entries(self, request, pk=None, format=None):  # noqa: A002 (DRF format suffix)
        call_list = self.get_object()
        entries = filters.QueueEntryFilter(
            request.query_params, queryset=call_list.entries.order_by("priority", "pk")
        )
        if not entries.is_valid():
            raise serializers.ValidationError(entries.errors)
        page = self.paginate_queryset(entries.qs)
        return self.get_paginated_response(s.QueueEntrySerializer(page, many=True).data)


@extend_schema_view(**answers_with(s.EscalationSerializer))
class EscalationViewSet(
    ChangedByServiceMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    ResourceViewSet,
):
    """Escalations: supervisors read them all and move their status on."""

    queryset = Escalation.objects.all()
    serializer_class = s.EscalationSerializer
    change_serializer_class = s.EscalationChangeSerializer
    filterset_class = filters.EscalationFilter
    ordering_fields = ["due_at", "created_at", "severity", "id"]
    writing_actions = ("update", "partial_update")

    def apply_change(self, escalation: Escalation, change) -> Escalation:
        try:
            # The workflow's state machine: the owner, then the steps to the status asked for.
            return escalation_workflow.move(
                escalation=escalation,
                by=self.request.user,
                now=timezone.now(),
                **change.validated_data,
            )
        except DjangoValidationError as error:
            raise s.field_errors(error) from None


class ReportSummaryView(APIView):
    """Due, called and reached per day, and the reach rate (reached / called)."""

    permission_classes = [HasPermission]
    required_permission = REVIEW_OUTCOMES

    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, required=True, description="First day."),
            OpenApiParameter("to", OpenApiTypes.DATE, required=True, description="Last day."),
        ],
        responses={
            200: s.ReportDaySerializer(many=True),
            400: OpenApiResponse(description="Field errors."),
        },
    )
    def get(self, request):
        query = s.ReportQuerySerializer(
            data={
                "date_from": request.query_params.get("from"),
                "date_to": request.query_params.get("to"),
            }
        )
        if not query.is_valid():
            names = {"date_from": "from", "date_to": "to"}
            raise serializers.ValidationError(
                {names.get(key, key): errors for key, errors in query.errors.items()}
            )
        days = reports_api.daily_summary(**query.validated_data)
        return Response(s.ReportDaySerializer(days, many=True).data)


class PatientImportView(APIView):
    """Upload a CSV or XLSX discharge list: a dry run reports each row, a commit writes all
    rows or none (400 with the report when a row is refused).

    A file over 100 KB (some 1,000 to 2,500 rows), or any with `background`, is imported by a
    job in the worker: 202 with the job's id and its status URL (`GET
    /api/v1/imports/jobs/<id>/`, polled until the job is done or failed). A smaller one is
    answered in the request."""

    permission_classes = [HasPermission]
    required_permission = "followups.import_patients"
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": s.ImportRequestSerializer},
        responses={
            200: OpenApiResponse(s.ImportReportSerializer, description="Dry run."),
            201: OpenApiResponse(s.ImportReportSerializer, description="Committed."),
            202: OpenApiResponse(
                s.ImportJobQueuedSerializer, description="Queued as a background job."
            ),
            400: OpenApiResponse(description="Field errors, or the report of refused rows."),
        },
    )
    def post(self, request):
        upload = s.ImportRequestSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        try:
            hospital = resolve_hospital(data.get("hospital"))
            if data["background"] or import_jobs.runs_in_background(data["file"]):
                job = import_jobs.start_import(
                    upload=data["file"],
                    hospital=hospital,
                    plan=data.get("plan"),
                    dry_run=data["dry_run"],
                    actor=request.user,
                )
                return self._queued(request, job)
            report = import_patients(
                file=data["file"],
                filename=data["file"].name,
                actor=request.user,
                hospital=hospital,
                dry_run=data["dry_run"],
                plan=data.get("plan"),
            )
        except ImportFileError as error:
            raise serializers.ValidationError({"file": [str(error)]}) from None
        if data["dry_run"]:
            code = status.HTTP_200_OK
        elif report.committed:
            code = status.HTTP_201_CREATED
        else:
            code = status.HTTP_400_BAD_REQUEST
        return Response(report.as_dict(), status=code)

    def _queued(self, request, job: ImportJob) -> Response:
        url = request.build_absolute_uri(reverse("import-job-detail", args=[job.pk]))
        return Response(
            {"id": job.pk, "status": job.status, "status_url": url},
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": url},
        )


class ImportJobView(APIView):
    """A patient import job: its status and progress while it runs; its counts, and its
    report (refused rows with their reasons) once it is done or failed."""

    permission_classes = [HasPermission]
    required_permission = "followups.import_patients"

    @extend_schema(
        responses={200: s.ImportJobSerializer, 404: OpenApiResponse(description="No such job.")}
    )
    def get(self, request, pk: int):
        job = get_object_or_404(ImportJob.objects.select_related("hospital"), pk=pk)
        return Response(s.ImportJobSerializer(job).data)


router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("departments", DepartmentViewSet, basename="department")
router.register("customers", CustomerViewSet, basename="customer")
router.register("patients", PatientViewSet, basename="patient")
router.register("cases", CaseViewSet, basename="case")
router.register("tasks", FollowUpTaskViewSet, basename="task")
router.register("call-lists", CallListViewSet, basename="call-list")
router.register("escalations", EscalationViewSet, basename="escalation")

urlpatterns = [
    *router.urls,
    path("reports/summary/", ReportSummaryView.as_view(), name="report-summary"),
    path("imports/patients/", PatientImportView.as_view(), name="patient-import"),
    path("imports/jobs/<int:pk>/", ImportJobView.as_view(), name="import-job-detail"),
]
