from django.contrib import admin
from django.urls import include, path

from returndesk.api import api

admin.site.site_header = admin.site.site_title = "returndesk"
admin.site.index_title = "Orders, returns and API keys"

urlpatterns = [
    path("", include("returndesk.demo.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("", include("returndesk.portals.urls")),
]

# Pages answer an unknown address in their own problem format; the API answers its own.
handler404 = "returndesk.portals.common.views.page_not_found"
