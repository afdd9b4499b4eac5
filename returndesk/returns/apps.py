from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "returndesk.returns"
    label = "returns"
