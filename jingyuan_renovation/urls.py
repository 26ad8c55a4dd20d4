from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from agencies.views import OwnPasswordChangeDoneView, OwnPasswordChangeView
from ui.views import LandingLoginView

from .health import healthz

admin.site.site_header = "靖远县老旧小区改造管理系统"
admin.site.site_title = "老旧小区改造管理"
admin.site.index_title = "数据管理"

urlpatterns = [
    path("login/", LandingLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", OwnPasswordChangeView.as_view(), name="password_change"),
    path("password/done/", OwnPasswordChangeDoneView.as_view(), name="password_change_done"),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("ui.urls")),
    path("", include("communities.urls")),
    path("", include("agencies.urls")),
    path("", include("projects.urls")),
    path("", include("funding.urls")),
    path("", include("changelog.urls")),
]
