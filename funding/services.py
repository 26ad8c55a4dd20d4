from jingyuan_renovation.loading import LoadCounts, upsert

from .models import FundingSourceKind


def funding_source_kinds_load(*, kinds: list[dict], counts: LoadCounts) -> None:
    for row in kinds:
        values = {k: v for k, v in row.items() if k != "code"}
        upsert(FundingSourceKind, lookup={"code": row["code"]}, values=values, counts=counts)
