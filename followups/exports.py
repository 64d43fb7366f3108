"""CSV and XLSX of any report table; every export is written to the audit trail.

Text in a report comes from people (notes, escalations, names): a cell that begins like a
formula (``=HYPERLINK(...)``, ``+``, ``-``, ``@``, a tab or a carriage return) must reach the
spreadsheet as text, never as a live formula. CSV has no cell types, so such text gets a
leading single quote, the mark spreadsheets read as "text follows"; XLSX has them, so such a
cell is written as a string (openpyxl would otherwise store any text beginning with ``=`` as
a formula) with Excel's quote prefix. Numbers stay numbers, negative ones included.
"""

import csv
import io

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from followups.models import AuditAction
from followups.reports.tables import Kind, Table
from followups.services.audit import record

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


# What a spreadsheet may read as the start of a formula (or of a DDE call), the full-width
# forms included, which some spreadsheets take for the ASCII ones.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def looks_like_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


# Shares and decimals as the pages show them: a percentage with one decimal, one decimal.
# XLSX keeps them numbers, shown in those formats; CSV has only text.
XLSX_FORMATS = {Kind.SHARE: "0.0%", Kind.NUMBER: "0.0"}


def _cells(table: Table):
    for row in table.rows:
        yield ["" if value is None else value for value in row]


def _csv_value(value, kind: Kind):
    if value == "":
        return value
    if kind == Kind.SHARE:
        return f"{value * 100:.1f}%"
    if kind == Kind.NUMBER:
        return f"{value:.1f}"
    return "'" + value if looks_like_formula(value) else value


def _csv_cell(value):
    return "'" + value if looks_like_formula(value) else value


def table_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_csv_cell(str(column.label)) for column in table.columns])
    kinds = [column.kind for column in table.columns]
    writer.writerows(
        [_csv_value(value, kind) for value, kind in zip(row, kinds, strict=True)]
        for row in _cells(table)
    )
    # The byte-order mark lets Excel open the Chinese text as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _xlsx_cell(sheet, value, kind: Kind = Kind.TEXT):
    if kind in XLSX_FORMATS and value != "":
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = XLSX_FORMATS[kind]
        return cell
    if not looks_like_formula(value):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # text, not the formula openpyxl makes of a leading "="
    cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
    return cell


def table_xlsx(table: Table) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=table.key[:31])
    for index, column in enumerate(table.columns, start=1):
        width = 40 if column.kind == Kind.TEXT else 14
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.append([_xlsx_cell(sheet, str(column.label)) for column in table.columns])
    kinds = [column.kind for column in table.columns]
    for row in _cells(table):
        sheet.append(
            [_xlsx_cell(sheet, value, kind) for value, kind in zip(row, kinds, strict=True)]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_table(*, table: Table, fmt: str, report: str, user, filters: dict) -> HttpResponse:
    """The file to download, after writing the EXPORT audit event (what, never who in it)."""
    content = table_csv(table) if fmt == "csv" else table_xlsx(table)
    record(
        actor=user,
        action=AuditAction.EXPORT,
        report=report,
        table=table.key,
        format=fmt,
        rows=len(table.rows),
        filters=filters,
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(content, content_type=FORMATS[fmt])
    response["Content-Disposition"] = (
        f'attachment; filename="huifang-{report}-{table.key}-{stamp}.{fmt}"'
    )
    return response
