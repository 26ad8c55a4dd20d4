import json

from django.core.management.base import BaseCommand

from communities.models import Compound
from communities.services import compounds_assess_all


class Command(BaseCommand):
    help = ("按工作方案“三、认定标准”重新认定每个小区并输出结论（结论有变化时写入变更记录）。"
            " Re-assess every compound and print verdict, central subsidy, priority, consent and reasons.")

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print JSON (for scripts)")
        parser.add_argument("--town", help="only this town (乡镇名称)")

    def handle(self, *args, **options):
        queryset = Compound.objects.select_related("town")
        if options["town"]:
            queryset = queryset.filter(town__name=options["town"])
        assessments = compounds_assess_all(queryset=queryset)
        rows = [_row(a) for a in assessments]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for row in rows:
            subsidy = {True: "可申报中央补助", False: "不得申报中央补助", None: "中央补助待定"}[
                row["central_subsidy_allowed"]]
            if any(r["effect"] == "不得申报中央补助" for r in row["reasons"]):
                subsidy = "不得重复申报中央补助"
            elif row["verdict"] == "ineligible":
                subsidy = "不符合改造条件，中央补助不适用"
            if row["relaxation_candidate"]:
                subsidy += "，可申请放宽认定"
            self.stdout.write(
                f"{row['town']} {row['name']}：{row['verdict_label']}，{subsidy}，优先度 {row['priority']}")
            for reason in row["reasons"]:
                self.stdout.write(f"    {reason['fact']} — {reason['clause']}")
            if row["missing_facts"]:
                self.stdout.write(f"    缺少：{'、'.join(m['label'] for m in row['missing_facts'])}")


def _ratio(value):
    return None if value is None else str(value)


def _row(assessment) -> dict:
    compound = assessment.compound
    return {
        "name": compound.name,
        "town": compound.town.name,
        "verdict": assessment.verdict,
        "verdict_label": assessment.get_verdict_display(),
        "central_subsidy_allowed": assessment.central_subsidy_allowed,
        "priority": assessment.priority,
        "priority_parts": assessment.priority_parts,
        "consent": {
            "households_total": assessment.households_total,
            "households_consenting": assessment.households_consenting,
            "by_households": _ratio(assessment.consent_by_households),
            "by_area": _ratio(assessment.consent_by_area),
            "meets_threshold": assessment.consent_meets_threshold,
            "lift_by_households": _ratio(assessment.lift_consent_by_households),
            "lift_by_area": _ratio(assessment.lift_consent_by_area),
            "lift_meets_threshold": assessment.lift_consent_meets_threshold,
        },
        "review_status": compound.review_status,
        "reasons": assessment.reasons,
        "missing_facts": assessment.missing_facts,
        "cutoff_year": assessment.cutoff_year,
        "relaxation_candidate": assessment.relaxation_candidate,  # 三(一): may apply for 放宽认定
    }
