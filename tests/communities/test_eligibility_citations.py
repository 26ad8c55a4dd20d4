"""What each consent reason cites: the lift threshold is the Civil Code's, outside the work plan."""

from decimal import Decimal
from fractions import Fraction

from communities.eligibility import CONDITION_FIELDS, CompoundFacts, ConsentTally, Rules, assess

RULES = Rules(cutoff_year=2000, renovation_consent=Fraction(3, 4), lift_consent=Fraction(2, 3))
ALL_AGREE = ConsentTally(households_total=3, households_agreeing=3, area_total=Decimal("300.00"),
                         area_agreeing=Decimal("300.00"))


def test_the_lift_threshold_cites_the_civil_code_as_outside_the_plan_never_clause_five():
    """五 never mentions lifts (they appear only in 三(二)3); two thirds by area and headcount is
    《民法典》第二百七十八条, labelled as outside the plan."""
    conditions = {**dict.fromkeys(CONDITION_FIELDS, False), "water_drainage_aged": True}
    result = assess(CompoundFacts(build_year=1995, conditions=conditions, renovation_consent=ALL_AGREE,
                                  lift_consent=ALL_AGREE), RULES)
    lift_reasons = [reason for reason in result.reasons if "加装电梯意愿" in reason.fact]
    # The shares themselves rest on 三(二)3 (加装电梯); each comparison with the two-thirds threshold, by
    # households and by area, cites the Civil Code as outside the plan.
    threshold = [reason for reason in lift_reasons if "门槛" in reason.fact]
    assert len(threshold) == 2
    assert {reason.clause for reason in threshold} == {"《民法典》第二百七十八条（非本方案条款）"}
    assert {reason.clause for reason in lift_reasons} <= {"三(二)3", "《民法典》第二百七十八条（非本方案条款）"}
    assert not any(reason.clause.startswith("五") for reason in result.reasons if "电梯" in reason.fact)


def test_the_data_migration_relabels_stored_lift_reasons_and_its_reverse_restores_them(db):
    import importlib

    from django.apps import apps

    from communities.models import CompoundAssessment

    from .factories import CompoundFactory

    migration = importlib.import_module("communities.migrations.0007_lift_consent_citation")
    compound = CompoundFactory()
    CompoundAssessment.objects.filter(compound=compound).delete()
    other = {"clause": "三(一)", "fact": "改造意愿（按户）3/3 户 = 100% ≥ 门槛 75%", "effect": "满足"}
    old = {"clause": "五 加装电梯", "fact": "加装电梯意愿（按户）2/3 户", "effect": "满足"}
    assessment = CompoundAssessment.objects.create(compound=compound, verdict="eligible", cutoff_year=2000,
                                                   reasons=[other, old])
    migration.cite_the_civil_code(apps, None)
    assessment.refresh_from_db()
    assert assessment.reasons == [other, {**old, "clause": "《民法典》第二百七十八条（非本方案条款）"}]
    migration.cite_clause_five_again(apps, None)
    assessment.refresh_from_db()
    assert assessment.reasons == [other, old]
