"""The survey workbook template (摸底调查表模板): instructions plus the three data sheets with dropdowns."""

from io import BytesIO

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from communities.choices import Consent, LeftOutItem, StructureType
from ui.xlsx import template_workbook

from . import schema

TEMPLATE_ROWS = 5000  # rows that carry the dropdowns
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_KEY_FILL = PatternFill("solid", fgColor="FCE4D6")

INSTRUCTIONS = [
    "靖远县城区老旧小区改造摸底调查表（模板）",
    "",
    "一、本工作簿有「小区」「楼栋」「住户」三张表，请保留表名和第一行表头（表头文字不要修改，列的顺序可以调整，"
    "表头上方可以加标题行）。",
    "二、橙色表头是必填的识别列：小区按「小区名称」识别，楼栋按「小区名称+楼栋号」，住户按「小区名称+楼栋号+单元+房号」。"
    "再次上传同一小区、楼栋、住户会更新原有记录，不会重复新增；系统不会删除文件中没有的记录。",
    "三、是/否列填 是 或 否（也可用 有/无、√/×、Y/N），不清楚请留空（表示“未调查”）。",
    "四、意愿列填 同意、不同意 或 未表态；结构类型填 砖混、框架、剪力墙、砖木 或 其他。",
    "　　「供气管线需改造」「通信管线需改造」是两项（三(二)2），请分别填写；旧模板的合并列「供气或通信管线需改造」"
    "仍可导入，但两项取同一值并标记为待核实。",
    "　　「改造未涉及内容」（三(二)3）：近年已改造（改扩翻、三供一业）的小区，填当时未涉及、现需改造的内容，可填 "
    + "、".join(LeftOutItem.values) + "，多项用“、”分隔；只填“近年已改造”不构成改造条件。",
    "　　是否不宜整体拆除重建由现场审核认定时判断（六(一)），本表不填。",
    "五、年份填四位数字（如 1998，写成 1998年 也可以）；面积单位为平方米，可带小数；户数、层数等填整数。",
    "六、请不要合并数据区的单元格；公式单元格请确保已计算并保存（系统只读取保存的计算结果，不执行公式和宏）。",
    "七、支持 .xlsx/.xlsm、.xls、.ods（LibreOffice 默认格式）和 .csv（UTF-8 或 GB18030 编码，每个 CSV 只含一张表）。",
    "八、上传后系统先检查并预览将新增/更新/不变的条数和全部错误；有任何错误都不会写入，可下载标注了错误的工作簿修改后重新上传。",
    "",
    "示例（请勿在此表填写数据）：小区名称 示例小区-01；楼栋号 1号楼；单元 1单元；房号 101；建成年份 1995；供排水管线老化 是。",
]


def _choices_validation(options: list[str]) -> DataValidation:
    validation = DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=True,
                                showErrorMessage=True, errorStyle="warning",
                                errorTitle="请从下拉列表选择", error="请从下拉列表中选择，或留空。")
    return validation


def survey_template_write(target=None):
    """Write the template to `target` (a path or file object); returns the bytes when target is None."""
    workbook = template_workbook()
    notes = workbook.active
    notes.title = "填写说明"
    for index, line in enumerate(INSTRUCTIONS, start=1):
        cell = notes.cell(row=index, column=1, value=line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    notes["A1"].font = Font(bold=True, size=14)
    notes.column_dimensions["A"].width = 110

    yes_no = ["是", "否"]
    consent = [label for _, label in Consent.choices]
    structure = [label for _, label in StructureType.choices]
    for spec in schema.SHEETS:
        sheet = workbook.create_sheet(spec.title)
        validations = {schema.YES_NO: _choices_validation(yes_no), schema.CONSENT: _choices_validation(consent),
                       schema.STRUCTURE: _choices_validation(structure)}
        for index, column in enumerate((c for c in spec.columns if not c.legacy), start=1):
            cell = sheet.cell(row=1, column=index, value=column.header)
            cell.font = Font(bold=True)
            cell.fill = _KEY_FILL if column.key else _HEADER_FILL
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            letter = get_column_letter(index)
            sheet.column_dimensions[letter].width = max(10, len(column.header) * 2 + 2)
            if column.kind in validations:
                validations[column.kind].add(f"{letter}2:{letter}{TEMPLATE_ROWS}")
            if column.kind in (schema.TEXT, schema.PHONE):
                for row in range(2, 3):
                    sheet.cell(row=row, column=index).number_format = "@"
        for validation in validations.values():
            if validation.sqref:
                sheet.add_data_validation(validation)
        sheet.freeze_panes = "A2"
    if target is None:
        buffer = BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
    workbook.save(target)
    return None
