from django.apps import AppConfig


class DropoffsConfig(AppConfig):
    name = "returndesk.dropoffs"
    label = "dropoffs"
