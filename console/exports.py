"""The families line list as a file: CSV (UTF-8 with a BOM, so Excel reads Cyrillic; a cell that a
spreadsheet would run as a formula starts with an apostrophe) or XLSX (openpyxl; every cell a string
or a number, never a formula)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date

from aiogram.utils.i18n import gettext as _
from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]

from bot.domain.caseload import RiskLevel
from bot.domain.line_list import ExportFormat, Stage, spreadsheet_safe
from console.render import polyclinic_name
from db.line_list import LineRow

CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def stage_label(stage: Stage | None) -> str:
    if stage is Stage.PREGNANT:
        return _("pregnant")
    if stage is Stage.CHILD:
        return _("child")
    if stage is Stage.PLANNING:
        return _("planning")
    return "—"


def risk_label(risk: RiskLevel) -> str:
    return _("progressive") if risk is RiskLevel.PROGRESSIVE else _("universal")


def headings() -> list[str]:
    return [_("Name"), _("Phone"), _("Stage"), _("Polyclinic"), _("Nurse"), _("Risk level"), _("Open alert")]


def cells(row: LineRow, lang: str) -> list[str]:
    return [
        row.name,
        row.phone,
        stage_label(row.stage),
        polyclinic_name(row.polyclinic, lang),
        row.nurse or "",
        risk_label(row.risk),
        _("yes") if row.open_alert else "",
    ]


def file_name(fmt: ExportFormat, today: date) -> str:
    return f"anabala-families-{today.isoformat()}.{fmt.value}"


def build_csv(rows: Sequence[LineRow], lang: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headings())
    for row in rows:
        writer.writerow([spreadsheet_safe(value) for value in cells(row, lang)])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def build_xlsx(rows: Sequence[LineRow], lang: str) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Families"))
    sheet.append(headings())
    for row in rows:
        line = []
        for value in cells(row, lang):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # text, even when it starts with "=": never a formula
            line.append(cell)
        sheet.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def build(fmt: ExportFormat, rows: Sequence[LineRow], lang: str) -> bytes:
    return build_csv(rows, lang) if fmt is ExportFormat.CSV else build_xlsx(rows, lang)
