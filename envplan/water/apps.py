from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WaterConfig(AppConfig):
    name = "envplan.water"
    label = "water"
    verbose_name = _("Surface water")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from envplan.water import indicators

        indicators.register_all()
