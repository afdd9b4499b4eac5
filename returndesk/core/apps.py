from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "returndesk.core"
    label = "core"
