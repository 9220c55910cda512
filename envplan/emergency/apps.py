from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmergencyConfig(AppConfig):
    name = "envplan.emergency"
    label = "emergency"
    verbose_name = _("Heavy-pollution weather")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from envplan.emergency import evidence, indicators, public

        indicators.register_all()
        evidence.register()
        public.register()
