"""The change history a detail page shows under the record (django-simple-history)."""

from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist

from agencies.access import mask_name, mask_phone

from .people import display_name

_TYPE_LABELS = {"+": "新建", "~": "修改", "-": "删除"}


@dataclass
class HistoryEntry:
    when: object
    who: str
    action: str
    reason: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)


def _shown(value, field=None) -> str:
    """A value as people read it: a choice's label (进行中, 图片), 是/否, — for nothing."""
    if field is not None and getattr(field, "flatchoices", None) and not isinstance(value, bool):
        value = dict(field.flatchoices).get(value, value)
    if value is None or value == "":
        return "—"
    if value is True:
        return "是"
    if value is False:
        return "否"
    return str(value)


def history_entries(obj, *, limit: int = 20, masked: dict[str, str] | None = None) -> list[HistoryEntry]:
    """The latest `limit` changes of `obj`, newest first, each with the fields it changed.

    `masked` maps a field name to "name" or "phone" for personal data the viewer may not read: old
    and new values are masked the way the page masks the record. Two queries whatever the length.
    """
    masked = masked or {}
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    model = obj._meta.model
    entries = []
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if previous is not None and record.history_type == "~":
            for change in record.diff_against(previous).changes:
                old, new = change.old, change.new
                if change.field in masked:
                    mask = mask_name if masked[change.field] == "name" else mask_phone
                    old, new = mask(old or ""), mask(new or "")
                try:
                    model_field = model._meta.get_field(change.field)
                    label = str(model_field.verbose_name)
                except FieldDoesNotExist:  # a field removed since: show its name
                    model_field, label = None, change.field
                changes.append((label, _shown(old, model_field), _shown(new, model_field)))
        user = record.history_user
        entries.append(HistoryEntry(
            when=record.history_date,
            who=display_name(user),
            action=_TYPE_LABELS.get(record.history_type, record.history_type),
            reason=record.history_change_reason or "",
            changes=changes,
        ))
    return entries
