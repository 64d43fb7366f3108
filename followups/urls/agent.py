"""The agent's pages: the home list, the next call, the call screen and its parts."""

from django.urls import path

from followups.views import agent as views
from followups.views import agent_list

app_name = "agent"
urlpatterns = [
    path("", views.home, name="home"),
    path("next/", views.next_call, name="next"),
    path("callbacks/", agent_list.callbacks, name="callbacks"),
    path("take/<int:pk>/", agent_list.take, name="take"),
    path("call/<int:pk>/put-back/", agent_list.put_back, name="put_back"),
    path("call/<int:pk>/", views.call_screen, name="call"),
    path("call/<int:pk>/reveal/", views.reveal, name="reveal"),
    path("call/<int:pk>/renew/", views.renew, name="renew"),
    path("call/<int:pk>/script/", views.script_step, name="script"),
    path("call/<int:pk>/callback-check/", views.callback_check, name="callback_check"),
    path("call/<int:pk>/outcome/", views.record, name="outcome"),
]
