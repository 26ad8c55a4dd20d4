from django.apps import AppConfig


class FiguresConfig(AppConfig):
    """The headline figures (关键数字) the home page, the dashboard, the reports and check_figures show."""

    name = "figures"
    verbose_name = "关键数字"
