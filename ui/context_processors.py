from .navigation import flat, nav_for


def navigation(request):
    """The menus and links this user's role may follow (see ui.navigation.NAV_GROUPS)."""
    user = getattr(request, "user", None)
    if user is None:
        return {"nav_groups": [], "nav_items": []}
    menus = nav_for(user, request.path)
    return {"nav_groups": menus, "nav_items": flat(menus)}
