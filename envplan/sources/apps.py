from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SourcesConfig(AppConfig):
    name = "envplan.sources"
    label = "sources"
    verbose_name = _("Pollution sources")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from envplan.sources import indicators

        indicators.register_all()
