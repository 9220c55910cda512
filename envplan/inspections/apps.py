from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "envplan.inspections"
    label = "inspections"
    verbose_name = _("Enforcement")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from envplan.inspections import evidence, factors, indicators, public

        indicators.register_all()
        evidence.register()
        factors.register()
        public.register()
