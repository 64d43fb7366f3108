"""The resource endpoints: departments, customers, patients, cases, tasks … (Part 6)."""

urlpatterns: list = []
