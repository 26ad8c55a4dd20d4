from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse


class PasswordChangeRequiredMiddleware:
    """With DEBUG off, an account whose password others know (a demo account, or one staff just reset)
    is sent to change it before any other page. The flag is on the profile (UserProfile.must_change_password),
    read with the user in the same query (RoleAwareModelBackend), so this costs no query."""

    # Pages the user may still reach: the change itself, logging out, and static files.
    _ALLOWED_NAMES = ("password_change", "password_change_done", "logout", "login")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.DEBUG and self._must_change(request):
            allowed = {reverse(name) for name in self._ALLOWED_NAMES}
            if request.path not in allowed and not request.path.startswith(settings.STATIC_URL):
                return redirect("password_change")
        return self.get_response(request)

    @staticmethod
    def _must_change(request) -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        profile = getattr(user, "profile", None)
        return bool(profile and profile.must_change_password)
