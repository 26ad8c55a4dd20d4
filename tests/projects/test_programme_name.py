"""The programme's name keeps 城区 everywhere: 《靖远县2023年城区老旧小区改造工作方案》 (靖政发〔2023〕75号)."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from projects.reports.services import report_write
from tests.projects.report_factories import CUTOFF

pytestmark = pytest.mark.django_db

NAME = "靖远县2023年城区老旧小区改造"
ROOT = Path(__file__).resolve().parents[2]


def test_the_programme_is_named_with_chengqu_as_the_document_titles_it(programme):
    assert programme.name == NAME
    assert str(programme) == f"{NAME}（靖政发〔2023〕75号）"


def test_the_programme_summary_cli_prints_the_name_with_chengqu(programme):
    out = StringIO()
    call_command("programme_summary", stdout=out)
    assert out.getvalue().splitlines()[0] == f"{NAME}（靖政发〔2023〕75号）"


@pytest.mark.parametrize(("kind", "title"), [("progress", "进度报告"), ("budget", "资金报告")])
def test_report_titles_name_the_programme_with_chengqu(programme, tmp_path, kind, title):
    path = tmp_path / f"{kind}.xlsx"
    report_write(kind=kind, programme=programme, cutoff=CUTOFF, path=path)
    first = load_workbook(path).worksheets[0]["A1"].value
    assert first.startswith(f"{NAME}{title}")


def test_no_page_template_doc_or_command_drops_chengqu_from_the_programme_name():
    """Grep the code base: 「靖远县2023年老旧小区改造」 (or 「2023年老旧小区改造」) without 城区 appears nowhere."""
    offenders = []
    for folder in ("templates", "projects", "funding", "communities", "agencies", "ui", "docs",
                   "jingyuan_renovation", "fixtures"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix not in {".py", ".html", ".md", ".json", ".txt"} or "migrations" in path.parts:
                continue
            text = path.read_text(encoding="utf-8", errors="ignore")
            for wrong in ("2023年老旧小区改造", "{programme.year}年老旧小区改造", "{self.year}年老旧小区改造"):
                if wrong in text:
                    offenders.append(f"{path.relative_to(ROOT)}: {wrong}")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "2023年老旧小区改造" not in readme
    assert offenders == []
