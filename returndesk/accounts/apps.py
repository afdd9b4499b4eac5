from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "returndesk.accounts"
    label = "accounts"
