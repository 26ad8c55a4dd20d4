"""System checks for misconfiguration, with stable ids (jingyuan.E0xx / W0xx)."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def check_secret_key(app_configs, **kwargs):
    if not settings.DEBUG and settings.SECRET_KEY == settings.INSECURE_DEV_SECRET_KEY:
        return [
            Error(
                "JINGYUAN_SECRET_KEY is not set while DEBUG is off.",
                hint="Set JINGYUAN_SECRET_KEY (or JINGYUAN_SECRET_KEY_FILE) to a long random value.",
                id="jingyuan.E001",
            )
        ]
    return []


@register(Tags.security)
def check_demo_password(app_configs, **kwargs):
    if not settings.DEBUG and settings.DEMO_PASSWORD == "jingyuan2023":
        return [
            Warning(
                "JINGYUAN_DEMO_PASSWORD is the documented default while DEBUG is off.",
                hint="Demo accounts are for trials only; set another password or do not run seed_demo.",
                id="jingyuan.W001",
            )
        ]
    return []
