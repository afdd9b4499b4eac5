from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "returndesk.policies"
    label = "policies"
