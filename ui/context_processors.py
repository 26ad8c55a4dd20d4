from .navigation import nav_for


def navigation(request):
    """The navigation links this user's role may follow (see ui.navigation.NAV_ITEMS)."""
    user = getattr(request, "user", None)
    return {"nav_items": nav_for(user, request.path) if user is not None else []}
