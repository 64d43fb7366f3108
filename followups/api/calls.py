"""The call endpoints: claim the next call, record an outcome (Part 4)."""

urlpatterns: list = []
