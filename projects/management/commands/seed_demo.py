from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from agencies.choices import Role
from agencies.models import Agency
from agencies.services import roles_sync, user_create
from communities.models import Town
from communities.services import demo_compounds_create
from funding.services import funding_demo_create, funding_demo_delete
from projects.selectors import programme_current
from projects.services import projects_demo_create, projects_demo_delete

DEMO_USERS = [
    ("staff", Role.STAFF, "演示·住建局工作人员"),
    ("surveyor", Role.SURVEYOR, "演示·乌兰镇调查员"),
    ("leader", Role.LEADER, "演示·领导"),
    ("liaison", Role.LIAISON, "演示·财政局联络员"),
    ("auditor", Role.AUDITOR, "演示·审计局"),
]


class Command(BaseCommand):
    help = "创建演示账号（staff/surveyor/leader/liaison/auditor）和明显虚构的演示小区（示例小区-01…）。"

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="run even with DEBUG off")
        parser.add_argument("--compounds", type=int, default=12)

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "seed_demo 会创建使用已知密码的账号，DEBUG 关闭时拒绝运行；确需在此环境演示，请加 --force。"
            )
        try:
            town = Town.objects.get(name="乌兰镇")
            finance = Agency.objects.get(code="finance")
        except (Town.DoesNotExist, Agency.DoesNotExist):
            raise CommandError("请先运行 python manage.py load_programme 载入计划事实。") from None
        real = list(
            get_user_model()
            .objects.filter(username__in=[u for u, _, _ in DEMO_USERS])
            .exclude(profile__is_demo=True)
            .values_list("username", flat=True)
        )
        if real:
            raise CommandError(f"以下用户名已被真实账号使用，演示数据不会修改它们：{'、'.join(real)}")
        with transaction.atomic():
            roles_sync()
            for username, role, full_name in DEMO_USERS:
                user_create(
                    username=username,
                    password=settings.DEMO_PASSWORD,
                    role=role,
                    is_demo=True,
                    full_name=full_name,
                    town=town if role == Role.SURVEYOR else None,
                    agency=finance if role == Role.LIAISON else None,
                    # The demo password is public: with DEBUG off each account must change it at first login.
                    must_change_password=True,
                )
            # Demo money holds its projects and demo projects their compounds (PROTECT): they go first.
            funding_demo_delete()
            projects_demo_delete()
            made = demo_compounds_create(town=town, compounds=options["compounds"])
            staff = get_user_model().objects.get(username="staff")
            demo_projects = projects_demo_create(programme=programme_current(), user=staff)
            demo_money = funding_demo_create(programme=programme_current(), user=staff)
        self.stdout.write(
            self.style.SUCCESS(
                f"演示账号 {len(DEMO_USERS)} 个；演示小区 {made['compounds']} 个、"
                f"楼栋 {made['buildings']} 栋、"
                f"住户 {made['households']} 户；演示项目 {demo_projects['projects']} 个、"
                f"演示预算明细 {demo_money['budget_lines']} 条（均标记为演示数据）。"
            )
        )
