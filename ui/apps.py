from django.apps import AppConfig


class UiConfig(AppConfig):
    """The browser application's shell: navigation, list/export pattern, template filters, charts, dashboard.

    Holds no models, so it never needs a migration.
    """

    name = "ui"
    verbose_name = "界面"
