from django.contrib import admin
from django.urls import include, path

from returndesk.api import api
from returndesk.demo.page import home

admin.site.site_header = admin.site.site_title = "returndesk"
admin.site.index_title = "Orders, returns and API keys"

urlpatterns = [
    path("", home, name="home"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("", include("returndesk.portals.urls")),
]
