"""The form renderer: Django's Jinja2 widget templates, with the app's templates/jinja2 searched first.

templates/jinja2/django/forms/widgets/ holds the few stock templates the app draws faster with the same
markup (the drop-down's options in one loop); every other widget is Django's own template."""

from pathlib import Path

import django.forms
from django.conf import settings
from django.forms.renderers import Jinja2
from django.utils.functional import cached_property


class WidgetRenderer(Jinja2):
    @cached_property
    def engine(self):
        return self.backend({
            "APP_DIRS": True,
            "DIRS": [Path(settings.BASE_DIR) / "templates" / "jinja2", Path(django.forms.__file__).parent / "jinja2"],
            "NAME": "djangoforms",
            "OPTIONS": {},
        })
