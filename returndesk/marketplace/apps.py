from django.apps import AppConfig


class MarketplaceConfig(AppConfig):
    name = "returndesk.marketplace"
    label = "marketplace"
