"""The scripts' part of the API (/api/v1/, callcenter/urls.py through followups.api.urls):
the scripts with their versions and the published graph, and publishing a draft.

Like the rest of the API it parses and presents; the script services decide. Reads need the
view right on call scripts (supervisors, admins), publishing the publish right.
"""

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from followups.api.permissions import HasPermission
from followups.api.resources import ResourceViewSet
from followups.api.serializers import field_errors
from scripts import services as script_service
from scripts.models import CallScript, ScriptVersion

# --- Serializers and filters ------------------------------------------------------------------


class ScriptVersionSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = ScriptVersion
        fields = ["id", "number", "status", "change_note", "created_at", "published_at"]
        read_only_fields = fields


class CallScriptSerializer(serializers.ModelSerializer):
    versions = ScriptVersionSummarySerializer(many=True, read_only=True)
    published_graph = serializers.SerializerMethodField()

    class Meta:
        model = CallScript
        fields = ["id", "name", "code", "case_kind", "description", "versions", "published_graph"]
        read_only_fields = fields

    @extend_schema_field(
        {"type": "object", "nullable": True, "additionalProperties": True},
    )
    def get_published_graph(self, script: CallScript):
        published = [v for v in script.versions.all() if v.is_published]
        return published[0].graph if published else None


class PublishSerializer(serializers.Serializer):
    change_note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class CallScriptFilter(django_filters.FilterSet):
    class Meta:
        model = CallScript
        fields = ["case_kind", "code"]


# --- Views ------------------------------------------------------------------------------------


class CallScriptViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ResourceViewSet):
    """Scripts with their versions and the graph of the published one."""

    queryset = CallScript.objects.prefetch_related(
        Prefetch("versions", queryset=ScriptVersion.objects.order_by("-number"))
    )
    serializer_class = CallScriptSerializer
    filterset_class = CallScriptFilter
    ordering_fields = ["name", "code", "id"]
    view_permission = "scripts.view_callscript"


class ScriptPublishView(APIView):
    """Publish a draft script version (Part 3's service: validates the graph, retires the
    version published before it, audits)."""

    permission_classes = [HasPermission]
    required_permission = "scripts.publish_scriptversion"

    @extend_schema(
        request=PublishSerializer,
        responses={
            200: ScriptVersionSummarySerializer,
            400: OpenApiResponse(description="Field errors or the graph's problems."),
            404: OpenApiResponse(description="No such version."),
        },
    )
    def post(self, request, pk: int):
        version = get_object_or_404(ScriptVersion, pk=pk)
        body = PublishSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            published = script_service.publish(
                version=version,
                actor=request.user,
                change_note=body.validated_data.get("change_note", ""),
                now=timezone.now(),
            )
        except script_service.InvalidScript as error:
            raise serializers.ValidationError(
                {"graph": [str(problem.message) for problem in error.errors]}
            ) from None
        except DjangoValidationError as error:
            raise field_errors(error) from None
        return Response(ScriptVersionSummarySerializer(published).data)


router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("scripts", CallScriptViewSet, basename="script")

urlpatterns = [
    path("scripts/versions/<int:pk>/publish/", ScriptPublishView.as_view(), name="script-publish"),
    *router.urls,
]
