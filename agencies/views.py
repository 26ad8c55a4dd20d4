"""Pages of the agencies' duties (职责分工): the list (ui.lists pattern) and a duty's page; the accounts."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordChangeDoneView, PasswordChangeView
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from ui.history import history_entries
from ui.lists import Column, FilteredListView

from . import access, selectors, services
from .choices import Role
from .filters import AccountFilterSet, DutyFilterSet
from .forms import AccountCreateForm, AccountEditForm, AccountPasswordResetForm


class DutyListView(FilteredListView):
    title = "部门职责"
    intro = "工作方案附件职责分工，每条职责单独记录、可分派跟踪。部门联络员只看到本单位的职责。"
    roles = access.DUTY_READERS
    filterset_class = DutyFilterSet
    detail_url_name = "agencies:duty_detail"
    export_name = "部门职责"
    columns = [
        Column("责任单位", "agency.name", sort="agency"),
        Column("单位类别", "agency.get_kind_display", export_only=True),
        Column("序号", "order", sort="order", numeric=True),
        Column("职责内容", "text", link=True),
        Column("依据", "source", sort="source"),
    ]

    def get_queryset(self):
        return selectors.duty_list(user=self.request.user)


@login_required
@require_GET
def duty_detail(request, pk: int):
    access.require_role(request.user, *access.DUTY_READERS)
    duty = selectors.duty_get(user=request.user, pk=pk)
    return render(request, "agencies/duty_detail.html", {
        "duty": duty,
        "agency_duties": selectors.agency_duties(user=request.user, agency=duty.agency),
        "history": history_entries(duty),
    })


# --- Accounts (issue 17): staff manage them here, not in /admin/; everyone changes their own password -----


def _role_label(user) -> str:
    return user.role_group or ("住建局工作人员（超级用户）" if user.is_superuser else "（无角色）")


def _scope(user) -> str:
    profile = getattr(user, "profile", None)
    if profile is None:
        return ""
    return str(profile.town or profile.agency or "")


class AccountListView(FilteredListView):
    title = "账号管理"
    intro = "住建局工作人员在此新建账号、分配角色和乡镇/单位、停用账号和重置密码；角色变更逐条记录。"
    roles = frozenset({Role.STAFF})
    filterset_class = AccountFilterSet
    detail_url_name = "agencies:account_edit"
    template_name = "agencies/account_list.html"
    columns = [
        Column("用户名", "username", sort="username", link=True),
        Column("姓名", "first_name"),
        Column("角色", _role_label),
        Column("乡镇/单位", _scope),
        Column("启用", "is_active"),
        Column("最近登录", "last_login", sort="last_login"),
    ]

    def get_queryset(self):
        return selectors.account_list()


def _account_form_page(request, *, form, title: str, account=None, extra=None):
    crumbs = [("账号管理", reverse("agencies:account_list"))]
    if account is not None:
        crumbs.append((account.username, reverse("agencies:account_edit", args=[account.pk])))
    return render(request, "agencies/account_form.html", {
        "form": form, "title": title, "account": account, "breadcrumbs": [*crumbs, (title, "")], **(extra or {}),
    })


def _refusal_to_form(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            for message in messages_:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


@login_required
def account_create(request):
    access.require_role(request.user, Role.STAFF)
    form = AccountCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.account_create(
                username=data["username"], full_name=data["full_name"], role=Role(data["role"]),
                town=data["town"], agency=data["agency"], password=data["password1"], by=request.user)
        except ValidationError as error:
            _refusal_to_form(form, error)
        else:
            messages.success(request, f"账号“{user.username}”已建立；对方首次登录后须修改初始密码。")
            return redirect("agencies:account_edit", pk=user.pk)
    return _account_form_page(request, form=form, title="新建账号")


def _account(pk: int):
    return get_object_or_404(get_user_model().objects.select_related("profile__town", "profile__agency"), pk=pk)


@login_required
def account_edit(request, pk: int):
    access.require_role(request.user, Role.STAFF)
    account = _account(pk)
    profile = getattr(account, "profile", None)
    initial = {"full_name": account.first_name, "role": access.role_of(account) or "",
               "town": profile.town_id if profile else None, "agency": profile.agency_id if profile else None,
               "is_active": account.is_active}
    form = AccountEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.account_update(user=account, full_name=data["full_name"], role=Role(data["role"]),
                                    town=data["town"], agency=data["agency"], is_active=data["is_active"],
                                    by=request.user)
        except ValidationError as error:
            _refusal_to_form(form, error)
        else:
            messages.success(request, f"账号“{account.username}”已保存。")
            return redirect("agencies:account_edit", pk=account.pk)
    return _account_form_page(request, form=form, title=f"账号：{account.username}", extra={
        "edited": account, "changes": selectors.role_changes(user=account),
    })


@login_required
def account_password_reset(request, pk: int):
    access.require_role(request.user, Role.STAFF)
    account = _account(pk)
    form = AccountPasswordResetForm(account, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_password_reset(user=account, password=form.cleaned_data["new_password1"],
                                            by=request.user)
        except ValidationError as error:
            _refusal_to_form(form, error)
        else:
            messages.success(request, f"已为“{account.username}”设置新密码；对方下次登录后须自行修改。")
            return redirect("agencies:account_edit", pk=account.pk)
    return _account_form_page(request, form=form, title="重置密码", account=account)


class OwnPasswordChangeView(PasswordChangeView):
    """Django's password change for one's own account; choosing a password lifts the forced change."""

    template_name = "registration/password_change_form.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        services.account_password_changed(user=form.user)
        messages.success(self.request, "密码已修改。")
        return response


class OwnPasswordChangeDoneView(PasswordChangeDoneView):
    template_name = "registration/password_change_done.html"
