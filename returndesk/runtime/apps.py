from django.apps import AppConfig


class RuntimeConfig(AppConfig):
    name = "returndesk.runtime"
    label = "runtime"
