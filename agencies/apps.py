from django.apps import AppConfig


def _update_last_login_without_history(sender, user, **kwargs):
    """Django's own receiver, minus a history row: logging in changes no record a reader cares about, and
    a line in the change log per login would bury the changes that matter."""
    from django.contrib.auth.models import update_last_login

    user.skip_history_when_saving = True
    try:
        update_last_login(sender, user, **kwargs)
    finally:
        del user.skip_history_when_saving


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = "部门与领导小组"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from jingyuan_renovation import checks  # noqa: F401  (registers system checks)

        user_logged_in.disconnect(dispatch_uid="update_last_login")
        user_logged_in.connect(_update_last_login_without_history, dispatch_uid="update_last_login")
