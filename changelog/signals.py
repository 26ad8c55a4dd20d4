"""Every history row simple-history writes for a save or a delete gets its line in the change log."""

from django.dispatch import receiver
from simple_history.signals import post_create_historical_record

from .writer import index_record


@receiver(post_create_historical_record, dispatch_uid="changelog_index_record")
def _index_history_row(sender, history_instance, **kwargs):
    index_record(history_instance)
