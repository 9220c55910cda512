from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "envplan.cases"
    label = "cases"
    verbose_name = _("Screening cases")
    default_auto_field = "django.db.models.BigAutoField"
