from django.apps import AppConfig


class UiConfig(AppConfig):
    """The browser application's shell: navigation, list/export pattern (with large exports built by the
    worker: ExportRun), template filters, charts, dashboard."""

    name = "ui"
    verbose_name = "界面"
