from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.decorators.cache import never_cache
from django.views.i18n import set_language

from envplan.core.metrics import metrics_view
from envplan.site.views import health, health_parts, job_detail

# A real error's page shows the request's id, which leads to the traceback in the log.
handler500 = "envplan.site.views.server_error"

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Open before login too: the login and lockout pages offer the language selector.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("health/", never_cache(health), name="health"),
    path("health/parts/", never_cache(health_parts), name="health-parts"),
    path("metrics", metrics_view, name="metrics"),
    path("jobs/<int:job_id>/", never_cache(job_detail), name="job"),
    path("imports/", include("envplan.imports.urls")),
    path("exports/", include("envplan.exports.urls")),
    path("progress/", include("envplan.progress.urls")),
    path("accounts/", include("envplan.accounts.urls")),
    path("api/", include("envplan.api.urls")),
    path("dashboard/", include("envplan.dashboard.urls")),
    path("air/", include("envplan.air.urls")),
    path("water/", include("envplan.water.urls")),
    path("sources/", include("envplan.sources.urls")),
    path("emergency/", include("envplan.emergency.urls")),
    path("inspections/", include("envplan.inspections.urls")),
    path("credit/", include("envplan.credit.urls")),
    path("public/", include("envplan.portal.urls")),
    path("corrections/", include("envplan.portal.internal_urls")),
    path("cases/", include("envplan.cases.urls")),
    path("", include("envplan.plans.urls")),
]
