"""The console lists' rules: filters and sorts read from an address (anything unknown ignored), the
export's reason, spreadsheet-safe cells, medians."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.caseload import RiskLevel
from bot.domain.line_list import (
    MAX_PAGE,
    ExportFormat,
    LineFilters,
    NurseColumn,
    NurseSort,
    Stage,
    clean_reason,
    median,
    pages,
    parse_filters,
    parse_format,
    parse_page,
    parse_sort,
    spreadsheet_safe,
)


def test_known_filters_are_read_and_unknown_values_ignored() -> None:
    filters = parse_filters({"stage": "child", "risk": "progressive", "missed": "1", "overdue": "1", "alert": "1",
                             "no_nurse": "1", "q": "  Айгерим   Н "})
    assert filters == LineFilters(Stage.CHILD, RiskLevel.PROGRESSIVE, True, True, True, True, "Айгерим Н")
    assert "Айгерим Н" in filters.names and filters.phone is None
    forged = parse_filters({"stage": "PREGNANT", "risk": "high' OR 1=1", "missed": "true", "alert": "0",
                            "polyclinic": "astana_pc1", "region": "astana", "nurse": "7"})
    assert forged == LineFilters() and not forged.any and forged.params() == []


def test_a_search_is_by_phone_digits_or_by_name_never_both() -> None:
    by_phone = parse_filters({"q": "+7 701 123"})
    assert by_phone.phone == "701123" and by_phone.names == ()
    assert by_phone.codes() == {"q": "phone"}  # what she looked for is not written down
    mixed = parse_filters({"q": "ab1"})
    assert mixed.q == "" and mixed.names == () and mixed.phone is None
    assert len(parse_filters({"q": "x" * 500}).q) == 64


def test_filters_travel_in_links_and_in_the_audit_as_codes() -> None:
    filters = LineFilters(stage=Stage.PREGNANT, alert=True, q="Dana", names=("Dana",))
    assert filters.params() == [("stage", "pregnant"), ("alert", "1"), ("q", "Dana")]
    assert parse_filters(dict(filters.params())) == filters
    assert filters.codes() == {"stage": "pregnant", "alert": "1", "q": "name"}


def test_pages_and_formats_and_sorts() -> None:
    assert [parse_page({"page": p}) for p in ("3", "0", "-1", "x", "", "9999999", "١")] == [3, 1, 1, 1, 1, 1, 1]
    assert parse_page({"page": "999999"}) == MAX_PAGE
    assert pages(0) == 1 and pages(50) == 1 and pages(51) == 2 and pages(10**9) == MAX_PAGE
    assert parse_format({"format": "xlsx"}) is ExportFormat.XLSX and parse_format({"format": "pdf"}) is None
    assert parse_sort({"sort": "overdue", "dir": "desc"}) == NurseSort(NurseColumn.OVERDUE, True)
    assert parse_sort({"sort": "name; drop", "dir": "up"}) == NurseSort()


def test_an_export_reason_is_5_to_200_characters() -> None:
    assert clean_reason("  Monthly\n report ") == "Monthly report"
    assert clean_reason("  ok  ") is None
    assert clean_reason("x" * 200) == "x" * 200 and clean_reason("x" * 201) is None


def test_a_cell_a_spreadsheet_would_run_gets_an_apostrophe() -> None:
    assert [spreadsheet_safe(v) for v in ("=1+2", "+7701", "-3", "@SUM(A1)", "\tx", "Aigerim", "")] == [
        "'=1+2", "'+7701", "'-3", "'@SUM(A1)", "'\tx", "Aigerim", "",
    ]


def test_median() -> None:
    minutes = [timedelta(minutes=m) for m in (30, 10, 20)]
    assert median([]) is None and median(minutes) == timedelta(minutes=20)
    assert median(minutes + [timedelta(minutes=40)]) == timedelta(minutes=25)


def test_a_name_that_looks_like_a_formula_is_text_in_both_files() -> None:
    import io

    from openpyxl import load_workbook

    from bot.i18n import make_i18n
    from console.exports import build_csv, build_xlsx
    from db.line_list import LineRow

    row = LineRow(1, '=HYPERLINK("http://x")', "+77010000001", "almaty_city", "almaty_pc1", Stage.CHILD, None,
                  RiskLevel.UNIVERSAL, True)
    i18n = make_i18n("en")
    with i18n.context(), i18n.use_locale("en"):
        csv_body, xlsx_body = build_csv([row], "en"), build_xlsx([row], "en")
    assert csv_body.startswith(b"\xef\xbb\xbf")
    assert csv_body.decode("utf-8-sig").splitlines()[1].startswith("\"'=HYPERLINK(\"\"http://x\"\")\",'+77010000001,child,")
    cells = list(load_workbook(io.BytesIO(xlsx_body)).active.iter_rows())[1]
    assert (cells[0].value, cells[0].data_type) == ('=HYPERLINK("http://x")', "s")
