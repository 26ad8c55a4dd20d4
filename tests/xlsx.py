from io import BytesIO

from openpyxl import load_workbook


def read_xlsx(response) -> list[list]:
    """The rows of an xlsx download's first sheet, header first."""
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    sheet = load_workbook(BytesIO(response.content)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]
