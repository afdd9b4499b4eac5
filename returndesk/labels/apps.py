from django.apps import AppConfig


class LabelsConfig(AppConfig):
    name = "returndesk.labels"
    label = "labels"
