from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import FundingSourceKind


@admin.register(FundingSourceKind)
class FundingSourceKindAdmin(SimpleHistoryAdmin):
    list_display = ("order", "name", "group", "is_central", "clause")
    list_filter = ("group", "is_central")
    search_fields = ("name", "code")
