"""URL map. Every route declares its permission (see ``liveops.core.permissions``); a test walks
this file and fails on any route without one."""

from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from liveops.core import views as core_views
from liveops.core.permissions import public_view

api_v1 = [
    path("", include("liveops.core.api.urls")),
    path("org/", include("liveops.org.api.urls")),
    path("imports/", include("liveops.core.imports.api_urls")),
    path("sourcing/", include("liveops.sourcing.api.urls_library")),
    path("sourcing/", include("liveops.sourcing.api.urls_pipeline")),
    path("sourcing/", include("liveops.sourcing.api.urls_market")),
    path("quality/", include("liveops.quality.api.urls")),
    path("commerce/", include("liveops.commerce.api.urls_orders")),
    path("commerce/", include("liveops.commerce.api.urls_aftersales")),
    path("commerce/", include("liveops.commerce.api.urls_marketing")),
    path("commerce/", include("liveops.commerce.api.urls_dashboards")),
    path("talent/", include("liveops.talent.api.urls")),
    path("live/", include("liveops.live.api.urls")),
]

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include("liveops.core.auth_urls")),
    path("i18n/setlang/", core_views.set_language, name="set_language"),
    path("jsi18n/", public_view(JavaScriptCatalog.as_view()), name="javascript-catalog"),
    path("audit/", include("liveops.core.audit_urls")),
    path("jobs/", include("liveops.core.imports.urls")),
    path("org/", include("liveops.org.urls")),
    path("sourcing/", include("liveops.sourcing.urls_library")),
    path("sourcing/", include("liveops.sourcing.urls_pipeline")),
    path("sourcing/", include("liveops.sourcing.urls_market")),
    path("quality/", include("liveops.quality.urls")),
    path("commerce/", include("liveops.commerce.urls_orders")),
    path("commerce/", include("liveops.commerce.urls_aftersales")),
    path("commerce/", include("liveops.commerce.urls_marketing")),
    path("commerce/", include("liveops.commerce.urls_dashboards")),
    path("live/", include("liveops.live.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
