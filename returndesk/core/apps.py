from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "returndesk.core"
    label = "core"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from returndesk.core.orm import sqlite_functions_register

        connection_created.connect(sqlite_functions_register, dispatch_uid="returndesk-sqlite-functions")
