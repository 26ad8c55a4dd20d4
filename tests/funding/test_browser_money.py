"""In a real browser: a finance liaison types an allocation in 万元 and sees the 元 it will store, then
corrects a wrong one by 冲销 with a reason (at desk and phone widths, without sideways scroll)."""

import pytest

from funding.models import Allocation, FundingAccount
from tests.ui.test_browser import browser, log_in, page, pytestmark  # noqa: F401 (fixtures and marks)

from .factories import allocate, funded_project


@pytest.fixture
def project(programme, staff_user, wulan):
    return funded_project(programme=programme, user=staff_user, town=wulan)


@pytest.mark.parametrize("width", [1366, 390])
def test_liaison_types_wan_sees_yuan_and_reverses_a_wrong_allocation(page, live_server, users, project,  # noqa: F811
                                                                     staff_user, width):
    page.set_viewport_size({"width": width, "height": 900})
    wrong = allocate(project, staff_user, "1200000", number="靖财预〔2023〕9号")
    log_in(page, live_server, "dave-liaison")
    page.goto(f"{live_server.url}/funding/projects/{project.pk}/allocations/new/")
    page.fill("#id_amount_yuan", "12.345678")
    assert page.text_content("output[data-yuan-for=id_amount_yuan]") == "＝ 123,456.78 元"
    page.fill("#id_amount_yuan", "12.3456789")
    assert "最多六位小数" in page.text_content("output[data-yuan-for=id_amount_yuan]")

    page.goto(f"{live_server.url}/funding/projects/{project.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.click(f"a[href$='/allocations/{wrong.pk}/reverse/']")
    page.fill("#id_reason", "金额多录一位，应为 12 万元")
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: url.endswith(f"/funding/projects/{project.pk}/#allocations"))
    assert "已冲销" in page.text_content("#allocations")
    assert Allocation.objects.filter(reverses=wrong).exists()
    assert FundingAccount.objects.get(project=project).allocated_yuan == 0
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
