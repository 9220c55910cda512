from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AirConfig(AppConfig):
    name = "envplan.air"
    label = "air"
    verbose_name = _("Air quality")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from envplan.air import indicators

        indicators.register_all()
