from django.apps import AppConfig


class ChangelogConfig(AppConfig):
    """The one change log (变更日志): an index over every django-simple-history table, kept in step as
    history rows are written, so a single paged query lists every change to every record."""

    name = "changelog"
    verbose_name = "变更日志"

    def ready(self):
        from . import signals  # noqa: F401 - connects the receivers
