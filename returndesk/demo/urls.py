from __future__ import annotations

from django.urls import path

from returndesk.demo.page import home
from returndesk.demo.views import mailbox

urlpatterns = [
    path("", home, name="home"),
    path("demo/mail/", mailbox, name="demo-mail"),
]
