"""The work plan classes nothing; 专业化物业 and 业主自管 (五、4) are management mechanisms, not renovation
items, and were wrongly given the national 提升类: stored rows lose the class (reverse: 提升类 again).
The catalog gains the category of infrastructure directly related to the compound (五); load_programme
adds the new items (围墙, 园林景观, 道路拓宽改造与路面整修, related city infrastructure, 广告牌位)."""

from django.db import migrations, models

MANAGEMENT_MECHANISMS = ("professional_property_management", "owner_self_management")


def unclass_management_mechanisms(apps, schema_editor):
    ScopeItem = apps.get_model("projects", "ScopeItem")
    for item in ScopeItem.objects.filter(code__in=MANAGEMENT_MECHANISMS).exclude(national_class=""):
        item.national_class = ""
        item.save(update_fields=["national_class"])


def class_management_mechanisms_as_upgrade(apps, schema_editor):
    apps.get_model("projects", "ScopeItem").objects.filter(
        code__in=MANAGEMENT_MECHANISMS, national_class=""
    ).update(national_class="upgrade")


class Migration(migrations.Migration):

    dependencies = [
        ('projects', '0003_report_runs'),
    ]

    operations = [
        migrations.AlterField(
            model_name='historicalscopeitem',
            name='category',
            field=models.CharField(choices=[('housing_repair', '房屋修缮改造'), ('supporting_facilities', '完善配套设施'), ('environment', '环境综合整治'), ('long_term_management', '长效管理'), ('related_infrastructure', '与小区直接相关的基础设施')], max_length=30, verbose_name='改造类别'),
        ),
        migrations.AlterField(
            model_name='historicalscopeitem',
            name='national_class',
            field=models.CharField(blank=True, choices=[('basic', '基础类'), ('improvement', '完善类'), ('upgrade', '提升类')], help_text='国家指导意见的分类，非本方案条款；长效管理机制（五、4）不是改造内容，不分类', max_length=20, verbose_name='国家分类（国办发〔2020〕23号）'),
        ),
        migrations.AlterField(
            model_name='scopeitem',
            name='category',
            field=models.CharField(choices=[('housing_repair', '房屋修缮改造'), ('supporting_facilities', '完善配套设施'), ('environment', '环境综合整治'), ('long_term_management', '长效管理'), ('related_infrastructure', '与小区直接相关的基础设施')], max_length=30, verbose_name='改造类别'),
        ),
        migrations.AlterField(
            model_name='scopeitem',
            name='national_class',
            field=models.CharField(blank=True, choices=[('basic', '基础类'), ('improvement', '完善类'), ('upgrade', '提升类')], help_text='国家指导意见的分类，非本方案条款；长效管理机制（五、4）不是改造内容，不分类', max_length=20, verbose_name='国家分类（国办发〔2020〕23号）'),
        ),
        migrations.RunPython(unclass_management_mechanisms, class_management_mechanisms_as_upgrade),
    ]
