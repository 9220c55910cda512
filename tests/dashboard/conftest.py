from tests.plans.conftest import demo, supervisor, supervisor_client  # noqa: F401  (shared demo fixtures)
