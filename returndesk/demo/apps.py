from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "returndesk.demo"
    label = "demo"
