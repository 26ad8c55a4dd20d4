"""System checks for misconfiguration, with stable ids (jingyuan.E0xx / W0xx)."""

from django.conf import settings
from django.core.checks import Error, Tags, register


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


@register(Tags.compatibility)
def check_s3_backend_installed(app_configs, **kwargs):
    if settings.S3_BUCKET:
        try:
            import storages  # noqa: F401
        except ImportError:
            return [
                Error(
                    "JINGYUAN_S3_BUCKET is set but django-storages is not installed.",
                    hint="pip install '.[s3]', or unset JINGYUAN_S3_BUCKET to keep files under JINGYUAN_MEDIA_ROOT.",
                    id="jingyuan.E002",
                )
            ]
    return []
