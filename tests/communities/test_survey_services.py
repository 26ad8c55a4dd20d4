from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from communities.choices import Consent, SurveyUploadState
from communities.models import Building, Community, Compound, Household, SurveyUpload
from communities.survey import SurveyImportError, survey_import, survey_import_start, survey_upload_create

from .factories import BuildingFactory, CompoundFactory, HouseholdFactory
from .survey_files import HOUSEHOLD_HEADERS, SAMPLES, household_row, standard_sheets, write_xlsx


def upload_file(user, town, path: Path, **kwargs) -> SurveyUpload:
    with path.open("rb") as handle:
        return survey_upload_create(user=user, town=town, uploaded_file=File(handle, name=path.name), **kwargs)


def snapshot():
    return (
        list(Compound.objects.order_by("pk").values()),
        list(Building.objects.order_by("pk").values()),
        list(Household.objects.order_by("pk").values()),
        Community.objects.count(),
        Compound.history.count() + Building.history.count() + Household.history.count(),
    )


def test_sample_workbook_is_kept_checked_and_imported(staff_user, wulan):
    upload = upload_file(staff_user, wulan, SAMPLES / "survey-libreoffice.xlsx")
    assert upload.state == SurveyUploadState.READY
    assert len(upload.sha256) == 64 and upload.original_file.read(2) == b"PK"
    upload = survey_import(upload=upload, user=staff_user)
    assert upload.state == SurveyUploadState.IMPORTED
    compound = Compound.objects.get(town=wulan, name="样例小区-04")  # stray spaces dropped
    assert compound.build_year == 2001 and str(compound.land_area_m2) == "1240.00"
    assert compound.community.name == "东街社区"
    assert Household.objects.filter(building__compound__town=wulan).count() == 21
    household = Household.objects.get(building__compound__name="样例小区-02", room="101")
    assert household.lift_consent == Consent.AGREE and household.willing_to_contribute is True
    assert household.history.first().history_user == staff_user


def test_reupload_updates_by_natural_key_and_creates_no_duplicates(staff_user, wulan, tmp_path):
    survey_import(upload=upload_file(staff_user, wulan, SAMPLES / "survey-libreoffice.xls"), user=staff_user)
    before = (Compound.objects.count(), Building.objects.count(), Household.objects.count())

    again = upload_file(staff_user, wulan, SAMPLES / "survey-libreoffice.xlsx")
    assert {k: (v["create"], v["update"]) for k, v in again.counts.items()} == {
        "compounds": (0, 0), "buildings": (0, 0), "households": (0, 0)}
    survey_import(upload=again, user=staff_user)
    assert (Compound.objects.count(), Building.objects.count(), Household.objects.count()) == before

    sheets = standard_sheets()
    sheets["小区"][1][0] = " 样例小区-01 "   # existing compound, named with stray spaces
    sheets["楼栋"][1][0] = "样例小区-01"
    sheets["住户"] = [HOUSEHOLD_HEADERS, household_row(compound="样例小区-01", room="101", 改造意愿="不同意")]
    corrected = upload_file(staff_user, wulan, write_xlsx(tmp_path / "fix.xlsx", sheets))
    assert corrected.counts["compounds"]["update"] == 1
    assert corrected.counts["households"] == {"title": "住户", "create": 0, "update": 1, "unchanged": 0}
    survey_import(upload=corrected, user=staff_user)
    assert Compound.objects.count() == before[0]
    assert Household.objects.get(building__compound__name="样例小区-01", unit="1单元", room="101",
                                 ).renovation_consent == Consent.DISAGREE


def test_a_failing_upload_leaves_the_database_unchanged(staff_user, wulan, tmp_path):
    compound = CompoundFactory(town=wulan, name="测试小区-A", build_year=1980)
    HouseholdFactory(building=BuildingFactory(compound=compound, number="1号楼"), unit="1单元", room="101")
    before = snapshot()
    sheets = standard_sheets()
    sheets["住户"].append(household_row(room="103", **{"建筑面积(㎡)": "很大"}))
    upload = upload_file(staff_user, wulan, write_xlsx(tmp_path / "bad.xlsx", sheets))
    assert upload.state == SurveyUploadState.INVALID and upload.error_count == 1
    with pytest.raises(SurveyImportError):
        survey_import(upload=upload, user=staff_user)
    assert snapshot() == before


def test_errors_found_at_import_time_roll_everything_back(staff_user, wulan, tmp_path):
    """GIVEN a previewed clean file WHEN the records change before confirming so that the file now has an
    error THEN the import writes nothing and keeps the new errors."""
    sheets = standard_sheets()
    sheets["小区"] = [sheets["小区"][0]]  # households refer to a building on record
    sheets["楼栋"] = [sheets["楼栋"][0]]
    compound = CompoundFactory(town=wulan, name="测试小区-A")
    building = BuildingFactory(compound=compound, number="1号楼")
    upload = upload_file(staff_user, wulan, write_xlsx(tmp_path / "ok.xlsx", sheets))
    assert upload.state == SurveyUploadState.READY
    building.delete()
    before = snapshot()
    upload = survey_import(upload=upload, user=staff_user)
    assert upload.state == SurveyUploadState.INVALID
    assert any("楼栋「测试小区-A 1号楼」" in p["message"] for p in upload.errors)
    assert snapshot() == before


def test_a_crash_during_the_write_leaves_nothing_behind(staff_user, wulan, tmp_path, monkeypatch):
    upload = upload_file(staff_user, wulan, write_xlsx(tmp_path / "ok.xlsx", standard_sheets()))
    before = snapshot()

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("communities.survey.plan._write_rows", boom)
    with pytest.raises(RuntimeError):
        survey_import(upload=upload, user=staff_user)
    assert snapshot() == before
    upload.refresh_from_db()
    assert upload.state == SurveyUploadState.FAILED


def test_import_is_claimed_once(staff_user, wulan, tmp_path):
    upload = upload_file(staff_user, wulan, write_xlsx(tmp_path / "ok.xlsx", standard_sheets()))
    survey_import(upload=upload, user=staff_user)
    with pytest.raises(SurveyImportError, match="已导入"):
        survey_import(upload=upload, user=staff_user)
    assert Household.objects.count() == 2


def test_surveyor_uploads_only_for_their_own_town(surveyor_user, wulan, other_town, tmp_path):
    path = write_xlsx(tmp_path / "ok.xlsx", standard_sheets())
    with pytest.raises(PermissionDenied):
        upload_file(surveyor_user, other_town, path)
    assert not SurveyUpload.objects.exists()
    upload = upload_file(surveyor_user, wulan, path)
    survey_import(upload=upload, user=surveyor_user)
    assert Compound.objects.get(name="测试小区-A").town == wulan


def test_same_names_in_another_town_are_other_compounds(staff_user, wulan, other_town, tmp_path):
    path = write_xlsx(tmp_path / "ok.xlsx", standard_sheets())
    survey_import(upload=upload_file(staff_user, wulan, path), user=staff_user)
    survey_import(upload=upload_file(staff_user, other_town, path), user=staff_user)
    assert Compound.objects.filter(name="测试小区-A").count() == 2


@pytest.mark.parametrize("role", ["leader", "liaison", "auditor", "outsider"])
def test_other_roles_cannot_upload(users, wulan, tmp_path, role):
    with pytest.raises(PermissionDenied):
        upload_file(users[role], wulan, write_xlsx(tmp_path / "ok.xlsx", standard_sheets()))


def test_oversized_upload_is_refused_before_it_is_stored(staff_user, wulan, settings):
    settings.JINGYUAN_UPLOAD_MAX_BYTES = 1024
    with pytest.raises(ValidationError, match="文件太大"):
        survey_upload_create(user=staff_user, town=wulan,
                             uploaded_file=SimpleUploadedFile("big.xlsx", b"PK\x03\x04" + b"\0" * 4096))
    assert not SurveyUpload.objects.exists()


def test_hostile_upload_is_kept_as_an_invalid_record(staff_user, wulan):
    upload = survey_upload_create(user=staff_user, town=wulan,
                                  uploaded_file=SimpleUploadedFile("virus.xlsx", b"MZ\x90\x00\x03\x00\x00\x00"))
    assert upload.state == SurveyUploadState.INVALID
    assert "不是电子表格" in upload.errors[0]["message"]


def test_large_file_is_checked_and_imported_by_a_task(staff_user, wulan, tmp_path, settings,
                                                      django_capture_on_commit_callbacks):
    settings.JINGYUAN_SURVEY_ASYNC_ROWS = 3
    path = write_xlsx(tmp_path / "ok.xlsx", standard_sheets())
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        upload = upload_file(staff_user, wulan, path)
    assert len(callbacks) == 1
    upload.refresh_from_db()
    assert upload.state == SurveyUploadState.READY and upload.progress == 100
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        upload = survey_import_start(upload=upload, user=staff_user)
        assert upload.state == SurveyUploadState.IMPORTING
    assert len(callbacks) == 1
    upload.refresh_from_db()
    assert upload.state == SurveyUploadState.IMPORTED
    assert Household.objects.count() == 2


def test_csv_households_attach_to_buildings_on_record(staff_user, wulan, tmp_path):
    from .survey_files import write_csv

    BuildingFactory(compound=CompoundFactory(town=wulan, name="测试小区-A"), number="1号楼")
    path = write_csv(tmp_path / "住户.csv", [HOUSEHOLD_HEADERS, household_row(room="301")], encoding="gb18030")
    upload = upload_file(staff_user, wulan, path, csv_sheet="households", csv_encoding="auto")
    assert upload.state == SurveyUploadState.READY, upload.errors
    survey_import(upload=upload, user=staff_user)
    assert Household.objects.get(room="301").building.number == "1号楼"


def test_an_import_assesses_the_compounds_it_wrote(db, programme, wulan, staff_user):
    """GIVEN the LibreOffice sample WHEN it is imported THEN every compound of it has a verdict with reasons."""
    from communities.models import CompoundAssessment

    upload = upload_file(staff_user, wulan, SAMPLES / "survey-libreoffice.xlsx")
    survey_import(upload=upload, user=staff_user)
    imported = Compound.objects.filter(town=wulan, named_in_plan=False, is_demo=False)
    assert imported.count() == 6
    assessments = CompoundAssessment.objects.filter(compound__in=imported)
    assert assessments.count() == 6
    assert all(a.reasons for a in assessments)
    assert assessments.first().history.first().history_user == staff_user


# --- the preview's parsed rows, kept for the import (stored.py) ---------------------------------------------
def _kept(upload):
    from communities.survey.stored import stored_rows_name

    return upload.original_file.storage, stored_rows_name(upload)


def _count_parses(monkeypatch) -> list:
    from communities.survey import services

    calls = []
    original = services.survey_parse

    def counting(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(services, "survey_parse", counting)
    return calls


def test_confirm_imports_the_previewed_rows_without_reading_the_file_again(staff_user, wulan, tmp_path, monkeypatch):
    """GIVEN a previewed upload WHEN its stored file is deleted THEN the confirmed import still writes every row
    (from the rows the preview kept), and the kept rows are gone afterwards."""
    upload = upload_file(staff_user, wulan, SAMPLES / "survey-libreoffice.xlsx")
    storage, name = _kept(upload)
    assert storage.exists(name)
    upload.original_file.storage.delete(upload.original_file.name)
    parses = _count_parses(monkeypatch)
    upload = survey_import(upload=upload, user=staff_user)
    assert upload.state == SurveyUploadState.IMPORTED and parses == []
    assert Household.objects.filter(building__compound__town=wulan).count() == 21
    assert Compound.objects.get(town=wulan, name="样例小区-04").land_area_m2 == Decimal("1240.00")
    assert upload.counts["households"]["create"] == 21
    assert not storage.exists(name)


def _corrupt_truncated(storage, name):
    data = storage.open(name, "rb").read()
    storage.delete(name)
    storage.save(name, ContentFile(data[:-100]))


def _corrupt_one_byte(storage, name):
    data = bytearray(storage.open(name, "rb").read())
    data[-10] ^= 0xFF
    storage.delete(name)
    storage.save(name, ContentFile(bytes(data)))


def _corrupt_garbage(storage, name):
    storage.delete(name)
    storage.save(name, ContentFile(b"\x80\x04not marshal, not ours"))


@pytest.mark.parametrize("spoil", ["missing", "truncated", "one byte", "garbage", "other secret", "other year",
                                   "other parser", "other file"])
def test_kept_rows_that_cannot_be_trusted_are_ignored_and_the_file_read(staff_user, wulan, tmp_path, monkeypatch,
                                                                        settings, spoil):
    from communities.survey import stored

    upload = upload_file(staff_user, wulan, SAMPLES / "survey-libreoffice.xlsx")
    storage, name = _kept(upload)
    if spoil == "missing":
        storage.delete(name)
    elif spoil == "truncated":
        _corrupt_truncated(storage, name)
    elif spoil == "one byte":
        _corrupt_one_byte(storage, name)
    elif spoil == "garbage":
        _corrupt_garbage(storage, name)
    elif spoil == "other secret":
        settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    elif spoil == "other year":
        monkeypatch.setattr("communities.survey.services.timezone.localdate",
                            lambda: __import__("datetime").date(2099, 1, 1))
    elif spoil == "other parser":
        monkeypatch.setattr(stored, "PARSER_VERSION", stored.PARSER_VERSION + 1)
        assert not storage.exists(stored.stored_rows_name(upload))
        storage.save(stored.stored_rows_name(upload), ContentFile(storage.open(name, "rb").read()))
    elif spoil == "other file":
        # Rows the server kept for another upload (signed, but for another file) copied over these.
        sheets = standard_sheets()
        other = upload_file(staff_user, wulan, write_xlsx(tmp_path / "other.xlsx", sheets))
        other_storage, other_name = _kept(other)
        storage.delete(name)
        storage.save(name, ContentFile(other_storage.open(other_name, "rb").read()))
    parses = _count_parses(monkeypatch)
    upload = survey_import(upload=upload, user=staff_user)
    assert upload.state == SurveyUploadState.IMPORTED, upload.errors
    assert len(parses) == 1
    assert Household.objects.filter(building__compound__name__startswith="样例小区").count() == 21
    assert not Compound.objects.filter(name="测试小区-A").exists()


def test_without_kept_rows_an_altered_stored_file_is_refused(staff_user, wulan, tmp_path):
    upload = upload_file(staff_user, wulan, write_xlsx(tmp_path / "ok.xlsx", standard_sheets()))
    storage, name = _kept(upload)
    storage.delete(name)
    original = upload.original_file.name
    storage.delete(original)
    storage.save(original, ContentFile((SAMPLES / "survey-libreoffice.xlsx").read_bytes()))
    before = snapshot()
    upload = survey_import(upload=upload, user=staff_user)
    assert upload.state == SurveyUploadState.INVALID
    assert "SHA-256" in upload.errors[0]["message"]
    assert snapshot() == before


def test_confirm_rechecks_the_kept_rows_against_records_changed_since_the_preview(staff_user, wulan, tmp_path):
    """GIVEN a preview that would create two households WHEN one of them is recorded (by hand) before the
    confirmation THEN the import updates that one instead of duplicating it."""
    upload = upload_file(staff_user, wulan, write_xlsx(tmp_path / "ok.xlsx", standard_sheets()))
    assert upload.counts["households"]["create"] == 2
    compound = CompoundFactory(town=wulan, name="测试小区-A")
    HouseholdFactory(building=BuildingFactory(compound=compound, number="1号楼"), unit="1单元", room="101",
                     renovation_consent=Consent.DISAGREE)
    upload = survey_import(upload=upload, user=staff_user)
    assert upload.state == SurveyUploadState.IMPORTED
    assert upload.counts["households"] == {"title": "住户", "create": 1, "update": 1, "unchanged": 0}
    assert Household.objects.filter(building__compound=compound).count() == 2
    household = Household.objects.get(building__compound=compound, room="101")
    assert household.renovation_consent == Consent.AGREE
    assert [r.history_type for r in household.history.order_by("history_id")] == ["+", "~"]
    assert household.history.latest().history_user == staff_user


def test_warnings_of_the_preview_are_kept_once_at_the_import(staff_user, wulan, tmp_path):
    sheets = standard_sheets()
    sheets["小区"][0] = [*sheets["小区"][0], "不认识的列"]
    sheets["楼栋"][1][5] = 1  # 户数 1, two household rows: a warning
    upload = upload_file(staff_user, wulan, write_xlsx(tmp_path / "warn.xlsx", sheets))
    assert upload.state == SurveyUploadState.READY and upload.warning_count >= 2
    previewed = upload.errors
    upload = survey_import(upload=upload, user=staff_user)
    assert upload.state == SurveyUploadState.IMPORTED
    assert upload.errors == previewed


@pytest.mark.parametrize("copy_from_rows", [1000, 1])
def test_every_written_row_has_one_history_row_with_the_user(staff_user, wulan, monkeypatch, copy_from_rows):
    """Each row written, by INSERT or (PostgreSQL, large batches) by COPY, has one history row holding its values."""
    from communities.models import CompoundAssessment

    monkeypatch.setattr("communities.bulk.COPY_MIN_ROWS", copy_from_rows)
    upload = survey_import(upload=upload_file(staff_user, wulan, SAMPLES / "survey-libreoffice.xlsx"),
                           user=staff_user)
    for model in (Compound, Building, Household):
        rows = model.objects.filter(**{{Compound: "town", Building: "compound__town",
                                        Household: "building__compound__town"}[model]: wulan})
        rows = rows.exclude(**({"named_in_plan": True} if model is Compound else {}))
        history = model.history.filter(id__in=rows.values("id"))
        assert history.count() == rows.count() > 0
        assert set(history.values_list("history_type", "history_user")) == {("+", staff_user.pk)}
        assert history.latest().history_date <= upload.imported_at
    household = Household.objects.get(building__compound__name="样例小区-02", room="101")
    record = household.history.get()
    assert (record.head_name, record.lift_consent, record.willing_to_contribute) == (
        household.head_name, household.lift_consent, household.willing_to_contribute)
    compound = Compound.objects.get(town=wulan, name="样例小区-04")
    assert (compound.history.get().land_area_m2, compound.review_status) == (Decimal("1240.00"), "surveyed")
    assessment = CompoundAssessment.objects.get(compound=compound)
    assert assessment.reasons and assessment.history.get().reasons == assessment.reasons


def test_ids_taken_for_a_batch_are_new_and_never_given_again(wulan):
    """bulk.take_ids on PostgreSQL reserves ids from the sequence (looked up once per batch): distinct, above
    every id already used, and a record saved afterwards the ordinary way gets none of them. (On SQLite the
    ids are only held by the writing transaction's lock until its rows are inserted.)"""
    from django.db import connection

    from communities import bulk

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's sequence")
    from tests.communities.factories import CompoundFactory

    before = CompoundFactory(town=wulan)
    ids = bulk.take_ids(Compound, 50)
    assert len(set(ids)) == 50 and min(ids) > before.pk
    after = CompoundFactory(town=wulan)
    assert after.pk not in ids and after.pk > max(ids)


@pytest.mark.django_db(transaction=True)
def test_two_confirmations_for_one_town_never_interleave(roles, tmp_path, monkeypatch):
    """GIVEN two previewed files for one town that both create the same compound WHEN both are confirmed at
    the same moment THEN the imports run one after the other (the town lock): the second sees the first's
    compound and updates it, nothing is duplicated, and the writes do not overlap in time."""
    import threading
    import time

    from django.db import connection

    from agencies.choices import Role
    from agencies.services import user_create
    from communities.models import Town
    from communities.survey import services

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has no row locks, one writer locks the whole database")
    town = Town.objects.create(name="并发测试镇")
    user = user_create(username="concurrent-staff", password="test-pass-7q!x", role=Role.STAFF)
    first = standard_sheets()
    second = standard_sheets()
    second["住户"] = [HOUSEHOLD_HEADERS, household_row(room="201"), household_row(room="202")]
    uploads = [upload_file(user, town, write_xlsx(tmp_path / f"{n}.xlsx", sheets))
               for n, sheets in (("first", first), ("second", second))]
    both_parsed = threading.Barrier(2, timeout=30)
    spans, failures = [], []
    parsed_for_import, write = services._parsed_for_import, services.survey_write

    def parse_then_wait(upload):
        parsed = parsed_for_import(upload)
        both_parsed.wait()  # both reach the lock together
        return parsed

    def slow_write(plan, **kwargs):
        start = time.monotonic()
        time.sleep(0.5)
        result = write(plan, **kwargs)
        spans.append((start, time.monotonic()))
        return result

    monkeypatch.setattr(services, "_parsed_for_import", parse_then_wait)
    monkeypatch.setattr(services, "survey_write", slow_write)

    def confirm(upload):
        try:
            services.survey_import(upload=upload, user=user)
        except Exception as exc:  # reported below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(upload,)) for upload in uploads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    assert {u.state for u in SurveyUpload.objects.filter(pk__in=[u.pk for u in uploads])} == {SurveyUploadState.IMPORTED}
    (a_start, a_end), (b_start, b_end) = sorted(spans)
    assert a_end <= b_start
    assert Compound.objects.filter(town=town, name="测试小区-A").count() == 1
    assert sorted(Household.objects.filter(building__compound__town=town).values_list("room", flat=True)) == [
        "101", "102", "201", "202"]


@pytest.mark.live_worker
def test_a_real_worker_checks_keeps_the_rows_and_imports_them(live_worker, roles, settings, tmp_path):
    """GIVEN a file over the background threshold WHEN a real Celery worker (another process) checks it and,
    once confirmed, imports it THEN the import uses the rows its check kept: the stored file is gone by then."""
    import time

    from agencies.choices import Role
    from agencies.services import user_create
    from communities.models import Town

    settings.JINGYUAN_SURVEY_ASYNC_ROWS = 3
    town = Town.objects.create(name="后台测试镇")
    user = user_create(username="worker-staff", password="test-pass-7q!x", role=Role.STAFF)

    def wait_for(upload, state):
        deadline = time.monotonic() + 90
        while upload.state != state and time.monotonic() < deadline:
            time.sleep(0.5)
            upload.refresh_from_db()
        assert upload.state == state, (upload.state, upload.errors, (tmp_path / "worker.log").read_text()[-3000:])

    upload = upload_file(user, town, write_xlsx(tmp_path / "ok.xlsx", standard_sheets()))
    assert upload.state == SurveyUploadState.CHECKING
    wait_for(upload, SurveyUploadState.READY)
    storage, name = _kept(upload)
    assert storage.exists(name)
    storage.delete(upload.original_file.name)
    survey_import_start(upload=upload, user=user)
    wait_for(upload, SurveyUploadState.IMPORTED)
    assert Household.objects.filter(building__compound__town=town).count() == 2
    assert not storage.exists(name)


def test_a_survey_of_a_compound_known_only_by_name_makes_it_surveyed(staff_user, wulan, tmp_path):
    """The compounds the work plan names are 未调查 until a survey gives them facts; the import records the step."""
    from communities.choices import ReviewStatus
    from communities.selectors import review_history

    from .survey_files import BUILDING_HEADERS, COMPOUND_HEADERS, building_row, compound_row

    named = Compound.objects.create(town=wulan, name="测试-点名小区", named_in_plan=True,
                                    review_status=ReviewStatus.NOT_SURVEYED)
    sheets = {"小区": [COMPOUND_HEADERS, compound_row(name=named.name)],
              "楼栋": [BUILDING_HEADERS, building_row(compound=named.name)],
              "住户": [HOUSEHOLD_HEADERS, household_row(compound=named.name, room="101"),
                     household_row(compound=named.name, room="102")]}
    upload = upload_file(staff_user, wulan, write_xlsx(tmp_path / "named.xlsx", sheets))
    survey_import(upload=upload, user=staff_user)
    named.refresh_from_db()
    assert named.review_status == ReviewStatus.SURVEYED and named.build_year == 1995
    steps = review_history(compound=named)
    assert [s.review_status for s in steps] == [ReviewStatus.NOT_SURVEYED, ReviewStatus.SURVEYED]
    assert steps[-1].history_user == staff_user


def stored_files(media_root) -> list[Path]:
    return [path for path in Path(media_root).rglob("*") if path.is_file()]


@pytest.mark.parametrize("damage", ["flipped byte", "understated size"])
def test_a_damaged_workbook_is_kept_as_an_invalid_record_with_what_to_do(staff_user, wulan, tmp_path, media_root,
                                                                          damage):
    from .survey_files import flip_byte, understate_size

    path = write_xlsx(tmp_path / "damaged.xlsx", standard_sheets())
    if damage == "flipped byte":
        flip_byte(path, "xl/styles.xml", at=4)
    else:
        understate_size(path, "xl/workbook.xml")
    upload = upload_file(staff_user, wulan, path)
    assert upload.state == SurveyUploadState.INVALID and upload.error_count == 1
    assert "文件已损坏" in upload.errors[0]["message"] and "另存为" in upload.errors[0]["message"]
    assert stored_files(media_root) == [Path(upload.original_file.path)]  # the record's file, nothing else


def test_an_upload_that_fails_leaves_no_file_behind(staff_user, wulan, tmp_path, media_root, monkeypatch):
    from communities.survey import services

    def crash(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "survey_upload_check", crash)
    with pytest.raises(RuntimeError):
        upload_file(staff_user, wulan, write_xlsx(tmp_path / "ok.xlsx", standard_sheets()))
    assert not SurveyUpload.objects.exists()
    assert stored_files(media_root) == []


def test_an_upload_with_rows_for_another_town_is_refused_and_writes_nothing(staff_user, wulan, other_town, tmp_path):
    from .survey_files import COMPOUND_HEADERS, compound_row

    sheets = standard_sheets()
    sheets["小区"] = [[*COMPOUND_HEADERS, "所属乡镇"], [*compound_row("测试小区-A"), other_town.name]]
    upload = upload_file(staff_user, wulan, write_xlsx(tmp_path / "s.xlsx", sheets))
    assert upload.state == SurveyUploadState.INVALID
    assert [p["column"] for p in upload.errors if p["level"] == "error"] == ["所属乡镇"]
    assert not Compound.objects.filter(name="测试小区-A").exists()


# --- the preview's sample, hints per row and the CSV's table (issue 17) ----------------------------------
def test_the_check_keeps_the_first_rows_of_each_sheet_as_read_with_what_the_import_does_to_each(
        staff_user, wulan, tmp_path):
    from .survey_files import compound_row

    survey_import(upload=upload_file(staff_user, wulan, write_xlsx(tmp_path / "first.xlsx", standard_sheets())),
                  user=staff_user)
    sheets = standard_sheets()
    sheets["小区"][1] = compound_row("测试小区-A", 户数=5, 楼栋数=1, 供排水管线老化="√")  # changed: 4 → 5 households
    sheets["小区"] += [compound_row(f"测试小区-{n}", 楼栋数=0, 户数=0) for n in range(2, 9)]  # seven new
    upload = upload_file(staff_user, wulan, write_xlsx(tmp_path / "again.xlsx", sheets))
    assert upload.state == SurveyUploadState.READY, upload.errors
    by_title = {sheet["title"]: sheet for sheet in upload.sample}
    compounds = by_title["小区"]
    assert compounds["total"] == 8 and [row["row"] for row in compounds["rows"]] == [2, 3, 4, 5, 6]
    assert [row["action"] for row in compounds["rows"]] == ["更新", "新增", "新增", "新增", "新增"]
    headers = [column["header"] for column in compounds["columns"]]
    first = dict(zip(headers, compounds["rows"][0]["values"], strict=True))
    # As the importer read them: √ is 是, a blank yes/no stays blank, numbers as numbers.
    assert (first["小区名称"], first["户数"], first["供排水管线老化"], first["供电线路老化"]) == ("测试小区-A", "5", "是", "")
    assert compounds["columns"][0] == {"header": "小区名称", "letter": "A", "file_header": ""}
    households = by_title["住户"]
    assert [row["action"] for row in households["rows"]] == ["不变", "不变"]
    first = dict(zip([c["header"] for c in households["columns"]], households["rows"][0]["values"], strict=True))
    assert (first["建筑面积(㎡)"], first["改造意愿"], first["加装电梯意愿"]) == ("65.50", "同意", "未表态")


def test_a_sample_of_a_file_with_errors_says_nothing_of_what_the_import_would_do(staff_user, wulan, tmp_path):
    sheets = standard_sheets()
    sheets["住户"].append(household_row(room="103", 改造意愿="也许吧"))
    sheets["住户"][0] = [header.replace("(㎡)", "（平方米）") for header in sheets["住户"][0]]
    upload = upload_file(staff_user, wulan, write_xlsx(tmp_path / "bad.xlsx", sheets))
    assert upload.state == SurveyUploadState.INVALID
    households = next(sheet for sheet in upload.sample if sheet["title"] == "住户")
    assert {row["action"] for row in households["rows"]} == {""}
    assert households["rows"][2]["values"][7] == ""  # the unreadable 改造意愿 is shown blank, its error listed
    area = households["columns"][6]
    assert (area["header"], area["letter"], area["file_header"]) == ("建筑面积(㎡)", "G", "建筑面积（平方米）")


def test_a_new_community_is_announced_on_every_row_that_names_it(staff_user, wulan, tmp_path):
    from .survey_files import compound_row

    sheets = standard_sheets()
    sheets["小区"] += [compound_row(f"测试小区-{n}", 所属社区="西街社", 楼栋数=0, 户数=0) for n in "BCD"]
    upload = upload_file(staff_user, wulan, write_xlsx(tmp_path / "s.xlsx", sheets))
    rows = [p["row"] for p in upload.errors if p["message"].startswith("将新建社区「西街社」")]
    assert rows == [3, 4, 5] and upload.state == SurveyUploadState.READY


def test_a_households_csv_chosen_as_the_compounds_sheet_is_refused_naming_the_table_it_looks_like(
        staff_user, wulan, tmp_path):
    """Read as 小区, each household row would become a compound with the household's floor area."""
    from .survey_files import write_csv

    path = write_csv(tmp_path / "住户.csv", [HOUSEHOLD_HEADERS, household_row(room="301")], encoding="utf-8")
    before = snapshot()
    upload = upload_file(staff_user, wulan, path, csv_sheet="compounds", csv_encoding="auto")
    assert upload.state == SurveyUploadState.INVALID
    first = upload.errors[0]
    assert first["level"] == "error" and first["row"] == 1
    assert first["message"].startswith(
        "这份 CSV 看起来是「住户」表：表头有 11 列与「住户」表相同，与所选的「小区」表只有 3 列相同")
    assert "--csv-sheet households" in first["message"]
    assert snapshot() == before


def test_a_csv_chosen_as_its_own_table_is_not_said_to_look_like_another(staff_user, wulan):
    upload = upload_file(staff_user, wulan, SAMPLES / "compounds-gb18030.csv", csv_sheet="compounds",
                         csv_encoding="auto")
    assert upload.state == SurveyUploadState.READY
    assert not [p for p in upload.errors if "看起来是" in p["message"]]
