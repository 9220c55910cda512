from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "envplan.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from axes.signals import user_locked_out

        from envplan.accounts.login import on_user_locked_out

        user_locked_out.connect(on_user_locked_out, dispatch_uid="envplan.accounts.login_lockout_audit")
