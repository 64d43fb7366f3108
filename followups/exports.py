"""CSV and XLSX of any report table; every export is written to the audit trail."""

import csv
import io

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from followups.models import AuditAction
from followups.reports.tables import Kind, Table
from followups.services.audit import record

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _cells(table: Table):
    for row in table.rows:
        yield ["" if value is None else value for value in row]


def table_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([column.label for column in table.columns])
    writer.writerows(_cells(table))
    # The byte-order mark lets Excel open the Chinese text as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def table_xlsx(table: Table) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=table.key[:31])
    for index, column in enumerate(table.columns, start=1):
        width = 40 if column.kind == Kind.TEXT else 14
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.append([column.label for column in table.columns])
    for row in _cells(table):
        sheet.append(row)
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
