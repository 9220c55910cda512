from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditConfig(AppConfig):
    name = "envplan.credit"
    label = "credit"
    verbose_name = _("Environmental credit rating")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from envplan.credit import factors, public
        from envplan.credit.evidence import cases, manual, sources

        sources.register()
        cases.register()
        manual.register()
        public.register()
        factors.register()
