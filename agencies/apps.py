from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = "部门与领导小组"

    def ready(self):
        from jingyuan_renovation import checks  # noqa: F401  (registers system checks)
