"""The staff import of the register (issue 19): a dry run lists every rejected row with its line
and reasons; the import is refused while a row is rejected unless the valid rows only are asked
for; importing the same file again changes nothing; 10,000 rows take seconds, not minutes."""

import csv
import io
import time

import openpyxl
import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from cooperation import importing
from cooperation.importing import Content, ImportFileError
from cooperation.models import FIRST_YEAR, Cooperation, Site

pytestmark = pytest.mark.django_db

HEADER = ["year", "unit_code", "partner_institution", "city", "country", "kind", "themes", "start_year", "end_year"]
SITE_HEADER = ["kind", "name_fr", "name_en", "network", "city", "country", "latitude", "longitude", "active_from"]


def as_csv(rows, header=HEADER, delimiter=",", bom=False):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def as_xlsx(rows, header=HEADER):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def generated_rows(count, year=2020):
    kinds = [kind.value for kind in Cooperation.Kind]
    countries = ["DE", "US", "JP", "BR", "SN", "CA", "GB", "IT"]
    return [
        [
            year,
            f"U{1000 + i % 300}",
            f"Institute {i}",
            f"City {i % 50}",
            countries[i % len(countries)],
            kinds[i % len(kinds)],
            "neuroscience",
            year - 1,
            year + 2,
        ]
        for i in range(count)
    ]


def test_ten_thousand_rows_dry_run_then_import_in_seconds_and_again_changes_nothing(
    staff, django_assert_max_num_queries
):
    data = as_csv(generated_rows(10_000))
    started = time.monotonic()
    with django_assert_max_num_queries(1):  # the register's keys of the file's years, read once
        report = importing.dry_run(data, "register-2020.csv", Content.COOPERATIONS)
    dry_run_seconds = time.monotonic() - started
    assert report.counts() == {"rows": 10_000, "new": 10_000, "updated": 0, "unchanged": 0, "rejected": 0}
    assert Cooperation.objects.count() == 0  # a dry run writes nothing

    started = time.monotonic()
    with django_assert_max_num_queries(20):  # bulk: ten INSERTs of 1,000 rows, the audit event
        importing.apply(data, "register-2020.csv", Content.COOPERATIONS, staff)
    import_seconds = time.monotonic() - started
    assert dry_run_seconds < 10 and import_seconds < 15, (dry_run_seconds, import_seconds)
    assert Cooperation.objects.count() == 10_000
    assert set(Cooperation.objects.values_list("source", flat=True)) == {Cooperation.Source.IMPORTED}
    event = AuditEvent.objects.get(action="cooperation.imported")
    assert event.actor == staff
    assert event.changes["new"] == 10_000

    again = importing.dry_run(data, "register-2020.csv", Content.COOPERATIONS)
    assert again.counts() == {"rows": 10_000, "new": 0, "updated": 0, "unchanged": 10_000, "rejected": 0}
    assert again.nothing_new
    importing.apply(data, "register-2020.csv", Content.COOPERATIONS, staff)
    assert Cooperation.objects.count() == 10_000


def test_an_xlsx_workbook_with_french_headers_country_names_and_labels_is_read():
    header = ["Année", "Code unité", "Établissement partenaire", "Ville", "Pays", "Type", "Thèmes", "Début", "Fin"]
    rows = [
        [2021, "u 1234", "Charité", "Berlin", "Allemagne", "Joint project", "", 2019, 2023],
        [2021.0, "U1234", "NIH", "Bethesda", "United States of America", "copublication", "cancer", None, None],
        [2021, "U1234", "Fiocruz", "Rio de Janeiro", "br", "Cohort", "", "", ""],
    ]
    report = importing.dry_run(as_xlsx(rows, header), "register.xlsx", Content.COOPERATIONS)
    assert report.rejected == []
    assert [(r["unit_code"], r["country"], r["kind"]) for r in report.new] == [
        ("U1234", "DE", "joint_project"),
        ("U1234", "US", "copublication"),
        ("U1234", "BR", "cohort"),
    ]


def test_a_csv_with_a_byte_order_mark_and_semicolons_is_read():
    rows = [[2020, "U1001", "Institut Pasteur de Dakar", "Dakar", "Sénégal", "mobility", "", "", ""]]
    report = importing.dry_run(as_csv(rows, delimiter=";", bom=True), "r.csv", Content.COOPERATIONS)
    assert report.rejected == []
    assert report.new[0]["country"] == "SN"


def test_every_bad_row_is_listed_with_its_line_and_reason(english):
    this_year = timezone.localdate().year
    rows = [
        [2020, "U1001", "Charité", "Berlin", "DE", "mobility", "", "", ""],  # line 2: fine
        [2020, "U1001", "Somewhere", "Nowhere", "Atlantis", "mobility", "", "", ""],  # 3
        [this_year + 1, "U1001", "Charité", "Berlin", "DE", "cohort", "", "", ""],  # 4
        [FIRST_YEAR - 1, "U1001", "Charité", "Berlin", "DE", "cohort", "", "", ""],  # 5
        [2020, "U1001", "Charité", "Berlin", "DE", "agreement", "", 2019, 2015],  # 6
        [2020, "U1001", "", "Berlin", "DE", "joint_project", "", "", ""],  # 7
        ["twenty", "U1001", "Charité", "Berlin", "DE", "joint_project", "", "", ""],  # 8
        [2020, "U1001", "Charité", "Berlin", "DE", "mobility", "other themes", "", ""],  # 9: line 2 again
        [2020, "U1001", "Charité", "Berlin", "DE", "telepathy", "", "", ""],  # 10
        [2020, "X12", "Charité", "Berlin", "DE", "cohort", "", "", ""],  # 11
    ]
    report = importing.dry_run(as_csv(rows), "r.csv", Content.COOPERATIONS)
    reasons = {row.line: " ".join(row.reasons) for row in report.rejected}
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert "Unknown country “Atlantis”" in reasons[3]
    assert f"Year {this_year + 1} is in the future" in reasons[4]
    assert f"before the register's first year ({FIRST_YEAR})" in reasons[5]
    assert "cannot end before it starts (2015 < 2019)" in reasons[6]
    assert "Partner institution: this field is required." in reasons[7]
    assert "Year: “twenty” is not a whole number." in reasons[8]
    assert "Duplicate of line 2" in reasons[9]
    assert "Unknown type “telepathy”" in reasons[10]
    assert "Unit code “X12”" in reasons[11]
    assert len(report.new) == 1
    # The rejected row's cells as read, for the report's table.
    assert report.rejected[0].values[:5] == ["2020", "U1001", "Somewhere", "Nowhere", "Atlantis"]


def test_nothing_is_imported_while_a_row_is_rejected_unless_the_valid_rows_only_are_asked_for(staff, english):
    rows = [
        [2020, "U1001", "Charité", "Berlin", "DE", "mobility", "", "", ""],
        [2020, "U1001", "Somewhere", "Nowhere", "Atlantis", "mobility", "", "", ""],
        [2020, "U1002", "NIH", "Bethesda", "US", "cohort", "", "", ""],
    ]
    data = as_csv(rows)
    with pytest.raises(ImportFileError, match="Nothing was imported"):
        importing.apply(data, "r.csv", Content.COOPERATIONS, staff)
    assert Cooperation.objects.count() == 0
    assert not AuditEvent.objects.filter(action="cooperation.imported").exists()

    report = importing.apply(data, "r.csv", Content.COOPERATIONS, staff, valid_only=True)
    assert Cooperation.objects.count() == 2
    assert report.counts()["rejected"] == 1
    event = AuditEvent.objects.get(action="cooperation.imported")
    assert (event.changes["new"], event.changes["rejected"], event.changes["valid_only"]) == (2, 1, True)


def test_a_row_with_new_themes_or_years_updates_the_register_but_a_project_fed_row_is_left_alone(staff):
    imported = Cooperation.objects.create(
        year=2020, unit_code="U1001", partner_institution="Charité", city="Berlin", country="DE", kind="mobility"
    )
    fed = Cooperation.objects.create(
        year=2020,
        unit_code="U1001",
        partner_institution="NIH",
        city="Bethesda",
        country="US",
        kind="joint_project",
        source=Cooperation.Source.PROJECT,
        themes="immunology",
    )
    rows = [
        [2020, "U1001", "Charité", "Berlin", "DE", "mobility", "neuroscience", 2018, 2022],
        [2020, "U1001", "NIH", "Bethesda", "US", "joint_project", "something else", "", ""],
    ]
    report = importing.apply(as_csv(rows), "r.csv", Content.COOPERATIONS, staff)
    assert report.counts() == {"rows": 2, "new": 0, "updated": 1, "unchanged": 1, "rejected": 0}
    imported.refresh_from_db()
    fed.refresh_from_db()
    assert (imported.themes, imported.start_year, imported.end_year) == ("neuroscience", 2018, 2022)
    assert fed.themes == "immunology"
    assert importing.dry_run(as_csv(rows), "r.csv", Content.COOPERATIONS).nothing_new


def test_sites_are_refused_without_coordinates_or_off_the_earth_and_imported_once(staff, english):
    rows = [
        ["joint_unit", "UMI Irvine", "IJU Irvine", "", "Irvine", "US", "33,6846", "-117.8265", 2019],
        ["office", "Bureau", "Office", "", "Washington", "US", "", "", ""],
        ["office", "Bureau", "Office", "", "Brussels", "BE", "95", "4.35", ""],
        ["network", "Réseau", "Network", "IRN X", "Dakar", "SN", "14.7", "abc", ""],
    ]
    report = importing.dry_run(as_csv(rows, SITE_HEADER), "sites.csv", Content.SITES)
    reasons = {row.line: " ".join(row.reasons) for row in report.rejected}
    assert sorted(reasons) == [3, 4, 5]
    assert "needs its coordinates" in reasons[3]
    assert "Latitude: 95 is out of range" in reasons[4]
    assert "Longitude: “abc” is not a number." in reasons[5]
    importing.apply(as_csv(rows, SITE_HEADER), "sites.csv", Content.SITES, staff, valid_only=True)
    site = Site.objects.get()
    assert (str(site.latitude), str(site.longitude), site.kind) == ("33.68460", "-117.82650", "joint_unit")
    assert importing.dry_run(as_csv(rows[:1], SITE_HEADER), "sites.csv", Content.SITES).counts()["unchanged"] == 1
    moved = [["joint_unit", "UMI Irvine", "IJU Irvine", "", "Irvine", "US", "33.7", "-117.8", 2019]]
    assert importing.apply(as_csv(moved, SITE_HEADER), "s.csv", Content.SITES, staff).counts()["updated"] == 1
    site.refresh_from_db()
    assert str(site.latitude) == "33.70000"
    assert AuditEvent.objects.filter(action="cooperation.sites_imported").count() == 2


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "The file is empty."),
        ("année,pays\n".encode("latin-1"), "neither an XLSX workbook nor a CSV file in UTF-8"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old Excel format"),
        (b"PK\x03\x04 not really a zip", "not a readable XLSX workbook"),
        (b"year,country\n2020,FR\n", "The file lacks the columns: Unit code, Partner institution, City, Type."),
        (b"\n\n", "The file holds no rows."),
        (b"year,unit_code,partner_institution,city,country,kind\n", None),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_as_a_whole(data, message, english):
    if message is None:  # a header only: read, nothing to import
        assert importing.dry_run(data, "r.csv", Content.COOPERATIONS).total == 0
        return
    with pytest.raises(ImportFileError) as refused:
        importing.dry_run(data, "r.csv", Content.COOPERATIONS)
    assert message in str(refused.value)


def test_the_services_check_the_size_the_number_of_rows_and_what_the_file_holds(monkeypatch, english):
    data = as_csv(generated_rows(5))
    with pytest.raises(ImportFileError, match="Choose what the file holds"):
        importing.dry_run(data, "r.csv", "people")
    monkeypatch.setattr(importing, "MAX_ROWS", 4)
    with pytest.raises(ImportFileError, match="more than 4 rows"):
        importing.dry_run(data, "r.csv", Content.COOPERATIONS)
    monkeypatch.setattr(importing, "MAX_FILE_BYTES", 100)
    with pytest.raises(ImportFileError, match="The file is too large"):
        importing.dry_run(data, "r.csv", Content.COOPERATIONS)
