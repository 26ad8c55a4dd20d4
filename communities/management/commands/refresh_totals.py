from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from communities.models import Town, TownTotals
from communities.totals import VERDICT_FIELDS, town_totals_refresh

_FIELDS = ("compounds", "compounds_with_floor_area", "floor_area_m2", "buildings", "households", *VERDICT_FIELDS)


def _stored() -> dict:
    return {(row.town_id, row.is_demo): tuple(getattr(row, name) for name in _FIELDS)
            for row in TownTotals.objects.all()}


class Command(BaseCommand):
    help = "重新统计各乡镇已录入的小区、楼栋、住户、建筑面积和认定结论合计（首页、驾驶舱、认定审核和列表页数所用）。"

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true",
                            help="只核对：与逐行统计不一致时列出乡镇并以非零状态退出，不写入")

    def handle(self, *args, check=False, **options):
        with transaction.atomic():
            before = _stored()
            town_totals_refresh()
            after = _stored()
            if check:
                transaction.set_rollback(True)  # only compare: the stored rows stay as they were
        names = dict(Town.objects.values_list("id", "name"))
        differing = sorted({key for key in before.keys() | after.keys() if before.get(key) != after.get(key)})
        for town_id, is_demo in differing:
            self.stdout.write(f"{names.get(town_id, town_id)}（{'演示' if is_demo else '真实'}）："
                              f"原 {before.get((town_id, is_demo))} → 实际 {after.get((town_id, is_demo))}")
        if check:
            if differing:
                raise CommandError(f"{len(differing)} 组合计与实际不一致；运行 refresh_totals（不带 --check）更正。"
                                   ) from None
            self.stdout.write(self.style.SUCCESS("各乡镇合计与实际一致。"))
            return
        self.stdout.write(self.style.SUCCESS(f"已重新统计 {len(names)} 个乡镇，更正 {len(differing)} 组。"))
