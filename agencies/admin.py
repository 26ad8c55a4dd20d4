from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from jingyuan_renovation.admin import ReadOnlyAdmin

from .models import Agency, Duty, LeadingGroupSeat, RoleChange, UserProfile


class DutyInline(admin.TabularInline):
    model = Duty
    extra = 0


@admin.register(Agency)
class AgencyAdmin(SimpleHistoryAdmin):
    list_display = ("name", "short_name", "kind", "order")
    list_filter = ("kind",)
    search_fields = ("name", "short_name", "code")
    inlines = [DutyInline]


@admin.register(LeadingGroupSeat)
class LeadingGroupSeatAdmin(SimpleHistoryAdmin):
    list_display = ("order", "role", "person_name", "title", "agency", "is_office_director")
    list_filter = ("programme", "role", "is_office_director")
    search_fields = ("person_name", "title", "agency__name")
    list_select_related = ("agency",)
    list_per_page = 50


@admin.register(Duty)
class DutyAdmin(SimpleHistoryAdmin):
    list_display = ("agency", "order", "text", "source")
    list_filter = ("agency__kind", "agency")
    search_fields = ("text", "agency__name", "agency__short_name")
    list_select_related = ("agency",)
    list_per_page = 100


@admin.register(UserProfile)
class UserProfileAdmin(SimpleHistoryAdmin):
    list_display = ("user", "town", "agency", "is_demo", "must_change_password")
    list_filter = ("town", "agency", "is_demo")
    search_fields = ("user__username", "user__first_name")
    list_select_related = ("user", "town", "agency")


@admin.register(RoleChange)
class RoleChangeAdmin(ReadOnlyAdmin):
    """The role change log is written by the account services only; here it is read, never edited."""

    list_display = ("user", "old_role", "old_scope", "new_role", "new_scope", "changed_by", "changed_at")
    list_filter = ("new_role",)
    search_fields = ("user__username", "user__first_name", "changed_by__username")
    list_select_related = ("user", "changed_by")
