"""The imports' fixtures (a hospital with its departments, the discharge plan), reused here."""

from tests.imports.conftest import discharge_plan, hospital  # noqa: F401
