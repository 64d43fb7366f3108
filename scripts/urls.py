"""The URLs of the script pages, under /scripts/ (callcenter/urls.py), named "scripts:…".

Each view checks its own permission (scripts.views.common: VIEW, EDIT, PUBLISH, CREATE).
"""

from django.urls import path

from scripts.views.compare import script_compare
from scripts.views.editor import (
    connect,
    draft_edit,
    node_add,
    node_move,
    node_remove,
    node_start,
    node_update,
    objection_add,
    objection_remove,
    objection_update,
    option_add,
    option_remove,
    option_update,
    version_publish,
    version_retire,
)
from scripts.views.pages import (
    draft_new,
    script_create,
    script_import,
    script_list,
    script_read,
    version_detail,
    version_export,
)
from scripts.views.preview import version_graph, version_preview

app_name = "scripts"
urlpatterns = [
    path("", script_list, name="list"),
    path("new/", script_create, name="create"),
    path("import/", script_import, name="import"),
    path("<slug:code>/", script_read, name="read"),
    path("<slug:code>/draft/", draft_new, name="new_draft"),
    path("<slug:code>/compare/", script_compare, name="compare"),
    path("versions/<int:pk>/", version_detail, name="version"),
    path("versions/<int:pk>/preview/", version_preview, name="preview"),
    path("versions/<int:pk>/graph.svg", version_graph, name="graph"),
    path("versions/<int:pk>/export/", version_export, name="export"),
    path("versions/<int:pk>/publish/", version_publish, name="publish"),
    path("versions/<int:pk>/retire/", version_retire, name="retire"),
    path("versions/<int:pk>/edit/", draft_edit, name="edit"),
    path("versions/<int:pk>/edit/nodes/", node_add, name="node_add"),
    path("versions/<int:pk>/edit/nodes/<str:node_id>/", node_update, name="node_update"),
    path("versions/<int:pk>/edit/nodes/<str:node_id>/remove/", node_remove, name="node_remove"),
    path("versions/<int:pk>/edit/nodes/<str:node_id>/move/", node_move, name="node_move"),
    path("versions/<int:pk>/edit/nodes/<str:node_id>/start/", node_start, name="node_start"),
    path("versions/<int:pk>/edit/nodes/<str:node_id>/next/", connect, name="node_connect"),
    path("versions/<int:pk>/edit/nodes/<str:node_id>/options/", option_add, name="option_add"),
    path(
        "versions/<int:pk>/edit/nodes/<str:node_id>/options/<int:position>/",
        option_update,
        name="option_update",
    ),
    path(
        "versions/<int:pk>/edit/nodes/<str:node_id>/options/<int:position>/next/",
        connect,
        name="option_connect",
    ),
    path(
        "versions/<int:pk>/edit/nodes/<str:node_id>/options/<int:position>/remove/",
        option_remove,
        name="option_remove",
    ),
    path("versions/<int:pk>/edit/objections/", objection_add, name="objection_add"),
    path(
        "versions/<int:pk>/edit/objections/<str:objection_id>/",
        objection_update,
        name="objection_update",
    ),
    path(
        "versions/<int:pk>/edit/objections/<str:objection_id>/remove/",
        objection_remove,
        name="objection_remove",
    ),
]
