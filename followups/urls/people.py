"""The people pages: the search, a person's page and the edits of their records."""

from django.urls import path

from followups.views import people as views
from followups.views import people_edits as edits

app_name = "people"
urlpatterns = [
    path("", views.search, name="search"),
    path("new/", edits.new_person, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/contact/", edits.edit_contact, name="contact"),
    path("<int:pk>/stay/", edits.edit_stay, name="stay"),
    path("<int:pk>/deceased/", edits.deceased, name="deceased"),
    path("<int:pk>/cases/new/", edits.new_case, name="case_new"),
    path("<int:pk>/cases/<int:case_pk>/", edits.edit_case, name="case"),
    path("<int:pk>/cases/<int:case_pk>/intent/", edits.case_intent, name="case_intent"),
    path("<int:pk>/cases/<int:case_pk>/close/", edits.close_case, name="case_close"),
]
