"""The imports' fixtures (a hospital with its departments, the discharge plan), reused here."""

from tests.config.conftest import default_language_after_the_test  # noqa: E402,F401
from tests.imports.conftest import discharge_plan, hospital  # noqa: F401
