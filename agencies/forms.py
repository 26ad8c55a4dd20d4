"""Account forms of the app's own pages (staff; issue 17): Django's password fields and validators."""

from django import forms
from django.contrib.auth.forms import SetPasswordForm

from communities.models import Town

from .choices import Role
from .models import Agency


class _RoleFields(forms.Form):
    full_name = forms.CharField(label="姓名", max_length=150, required=False)
    role = forms.ChoiceField(label="角色", choices=Role.choices)
    town = forms.ModelChoiceField(label="所属乡镇", queryset=Town.objects.order_by("name"), required=False,
                                  empty_label="（无）", help_text="调查员必填")
    agency = forms.ModelChoiceField(label="所属单位", queryset=Agency.objects.all(), required=False,
                                    empty_label="（无）", help_text="部门联络员必填")


class AccountCreateForm(_RoleFields):
    username = forms.CharField(label="用户名（登录名）", max_length=150)
    password1 = forms.CharField(label="初始密码", strip=False, widget=forms.PasswordInput(render_value=False),
                                help_text="至少 8 位，不能全是数字；对方首次登录后须自行修改")
    password2 = forms.CharField(label="再次输入初始密码", strip=False, widget=forms.PasswordInput)

    field_order = ["username", "full_name", "role", "town", "agency", "password1", "password2"]

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", "两次输入的密码不一致。")
        return data


class AccountEditForm(_RoleFields):
    is_active = forms.BooleanField(label="启用", required=False, help_text="停用后无法登录，记录保留")


class AccountPasswordResetForm(SetPasswordForm):
    """Django's SetPasswordForm (its validators) whose save is done by the service, not the form."""
