from axes.backends import AxesStandaloneBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import OuterRef, Subquery


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' lockout check for every login that comes over HTTP.

    A call without a request (a management command or a test checking a password) has no client to
    throttle; axes would raise there, so it is left to the next backend.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class RoleAwareModelBackend(ModelBackend):
    """Django's ModelBackend, loading the signed-in user of each request with their role and profile.

    Every page asks for the role (agencies.access.role_of) and most for the user's town or agency (the
    profile); reading them with the user makes one query where there were three.
    """

    def get_user(self, user_id):
        from agencies.access import ROLE_GROUP_NAMES, remember_role

        role_group = Group.objects.filter(user=OuterRef("pk"), name__in=ROLE_GROUP_NAMES).order_by("name")
        users = (get_user_model()._default_manager.select_related("profile", "profile__agency")
                 .annotate(role_group=Subquery(role_group.values("name")[:1])))
        try:
            user = users.get(pk=user_id)
        except ObjectDoesNotExist:
            return None
        if not self.user_can_authenticate(user):
            return None
        remember_role(user, user.role_group)
        return user
