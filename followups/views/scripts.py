"""The supervisor's script pages: list, edit, preview, publish, compare (Part 3)."""

app_name = "scripts"
urlpatterns: list = []
