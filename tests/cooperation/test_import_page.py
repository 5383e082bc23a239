"""The staff import's pages: upload, the dry run's report, then the import; who may open them."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from cooperation import import_files
from cooperation.models import Cooperation
from tests.factories import ResearcherFactory, StaffFactory

from .test_import import as_csv, generated_rows

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def kept_files(settings, tmp_path):
    """The uploaded files wait in a folder of the test's own."""
    settings.VAR_DIR = tmp_path
    return tmp_path / "imports"


GOOD = [2020, "U1001", "Charité", "Berlin", "DE", "mobility", "", "", ""]
HOSTILE = [
    [2020, "U1001", "<script>alert(1)</script>", "Berlin", "Atlantis", "mobility", "", "", ""],
    [2020, "U1001", '=HYPERLINK("http://evil.example","click")', "Berlin", "Nowhere", "mobility", "", "", ""],
]


def url(name, language="en"):
    with translation.override(language):
        return reverse(f"cooperation:{name}")


def upload(client, rows, content="cooperations", language="en"):
    response = client.post(
        url("import", language),
        {"content": content, "file": SimpleUploadedFile("register.csv", as_csv(rows), content_type="text/csv")},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]


def token_of(location):
    return parse_qs(urlsplit(location).query)["token"][0]


def counts(response):
    return dict(re.findall(r'data-count="(\w+)">(\d+)<', response.content.decode()))


def test_a_clean_file_is_read_then_imported_and_the_same_file_again_is_nothing_new(client, staff, kept_files):
    client.force_login(staff)
    report = client.get(upload(client, [GOOD, [2020, "U1002", "NIH", "Bethesda", "US", "cohort", "", "", ""]]))
    assert counts(report) == {"rows": "2", "new": "2", "unchanged": "0", "updated": "0", "rejected": "0"}
    assert Cooperation.objects.count() == 0
    page = report.content.decode()
    assert ">Import</button>" in page and "valid rows" not in page
    token = token_of(report.wsgi_request.get_full_path())
    done = client.post(url("import_apply"), {"token": token}, follow=True)
    assert "Imported: 2 new rows, 0 updated, 0 already in the register." in done.content.decode()
    assert Cooperation.objects.filter(source=Cooperation.Source.IMPORTED).count() == 2
    # The kept file is gone once imported: the same token imports nothing again.
    again = client.post(url("import_apply"), {"token": token}, follow=True)
    assert "imported already or has expired" in again.content.decode()
    assert list(kept_files.iterdir()) == []  # deleted once imported

    second = client.get(upload(client, [GOOD, [2020, "U1002", "NIH", "Bethesda", "US", "cohort", "", "", ""]]))
    assert counts(second)["unchanged"] == "2"
    assert "Nothing new: every row of the file is already in the register." in second.content.decode()
    done = client.post(url("import_apply"), {"token": token_of(second.wsgi_request.get_full_path())}, follow=True)
    assert "Nothing new: the file&#x27;s 2 rows are already in the register." in done.content.decode()
    assert Cooperation.objects.count() == 2


def test_rejected_rows_are_listed_escaped_and_only_the_valid_rows_are_imported_once_confirmed(client, staff):
    client.force_login(staff)
    report = client.get(upload(client, [GOOD, *HOSTILE]))
    page = report.content.decode()
    assert counts(report)["rejected"] == "2"
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "=HYPERLINK(&quot;http://evil.example&quot;,&quot;click&quot;)" in page
    assert 'data-label="Partner institution"' in page and 'data-label="Reasons"' in page
    assert "Unknown country “Atlantis”" in page
    assert re.search(r'<th scope="row" data-label="Line">3</th>', page)
    assert ">Import</button>" not in page and "Import the 1 valid row" in page
    token = token_of(report.wsgi_request.get_full_path())

    # Without ticking the box: nothing imported, the report says why.
    refused = client.post(url("import_apply"), {"token": token, "valid_only": "True"}, follow=True)
    assert "Tick the box to import the valid rows" in refused.content.decode()
    assert Cooperation.objects.count() == 0
    # Without asking for the valid rows only: refused too.
    refused = client.post(url("import_apply"), {"token": token}, follow=True)
    assert "Nothing was imported: 2 rows are rejected." in refused.content.decode()
    assert Cooperation.objects.count() == 0

    done = client.post(url("import_apply"), {"token": token, "valid_only": "True", "confirm": "on"}, follow=True)
    assert "Imported: 1 new row, 0 updated" in done.content.decode()
    assert "2 rejected rows left out." in done.content.decode()
    assert list(Cooperation.objects.values_list("partner_institution", flat=True)) == ["Charité"]


def test_a_file_that_cannot_be_read_is_refused_on_the_form(client, staff):
    client.force_login(staff)
    response = client.post(
        url("import"),
        {"content": "cooperations", "file": SimpleUploadedFile("r.csv", b"year,country\n2020,FR\n")},
    )
    assert response.status_code == 200
    assert "The file lacks the columns" in response.content.decode()


def test_a_forged_token_or_another_staff_members_file_opens_nothing(client, staff):
    client.force_login(staff)
    location = upload(client, [GOOD])
    token = token_of(location)
    forged = client.get(url("import_report") + "?token=" + token[:-3] + "xyz", follow=True)
    assert "This upload has expired or is unknown" in forged.content.decode()
    colleague = StaffFactory()
    client.force_login(colleague)
    response = client.post(url("import_apply"), {"token": token}, follow=True)
    assert "This upload has expired or is unknown" in response.content.decode()
    assert Cooperation.objects.count() == 0
    # The path is the signed id's, never one from the client.
    assert import_files.kept(token, staff).data.startswith(b"year,")


def test_the_rejected_rows_are_shown_by_pages_of_100(client, staff):
    client.force_login(staff)
    bad = [[2020, "U1001", f"Institute {i}", "Berlin", "Atlantis", "mobility", "", "", ""] for i in range(150)]
    location = upload(client, bad)
    first = client.get(location).content.decode()
    second = client.get(location + "&page=2").content.decode()
    assert first.count('data-label="Line">') == 100
    assert second.count('data-label="Line">') == 50
    assert "Rejected rows 101 to 150 of 150." in second
    assert "No row of the file is valid" in first


def test_the_report_costs_the_same_queries_with_1_and_50_rejected_rows(client, staff):
    client.force_login(staff)

    def queries(rows):
        location = upload(client, rows)
        client.get(location)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(location)
        assert response.status_code == 200
        return len(captured.captured_queries), response

    one, first = queries([[2020, "U1001", "Institute", "Berlin", "Atlantis", "mobility", "", "", ""]])
    rows = [[2020, "U1001", f"Institute {i}", "Berlin", "Atlantis", "mobility", "", "", ""] for i in range(50)]
    fifty, last = queries(rows)
    assert counts(last)["rejected"] == "50"
    assert one == fifty


def test_who_may_open_the_import_pages(client, staff):
    pages = [url("import", "fr"), url("import_report", "fr") + "?token=x"]
    for page in pages:
        assert client.get(page).status_code == 302  # anonymous: sent to log in
    client.force_login(ResearcherFactory())
    for page in pages:
        assert client.get(page).status_code == 404
    assert client.post(url("import_apply"), {"token": "x"}).status_code == 404
    clerk = StaffFactory(is_superuser=False)
    client.force_login(clerk)
    for page in (url("import"), url("import_report") + "?token=x"):
        response = client.get(page)
        assert response.status_code == 403
        # The page names what the account lacks, for the administrator.
        assert "Declared cooperations: add; Declared cooperations: change" in response.content.decode()
    assert client.post(url("import_apply"), {"token": "x"}).status_code == 403
    # With the model permissions the rule is made of, the page opens.
    clerk.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="cooperation",
            codename__in=["add_cooperation", "change_cooperation", "add_site", "change_site"],
        )
    )
    client.force_login(StaffFactory._meta.model.objects.get(pk=clerk.pk))
    assert client.get(url("import", "fr")).status_code == 200


def test_an_import_of_many_rows_through_the_pages(client, staff):
    client.force_login(staff)
    location = upload(client, generated_rows(2_000))
    assert counts(client.get(location))["new"] == "2000"
    client.post(url("import_apply"), {"token": token_of(location)})
    assert Cooperation.objects.count() == 2_000


def test_staff_who_may_import_reach_the_page_from_the_menu_and_others_do_not(client, staff):
    link = f'href="{url("import")}">Import the register</a>'
    client.force_login(staff)
    assert link in client.get(url("import")).content.decode()
    client.force_login(StaffFactory(is_superuser=False))
    with translation.override("en"):
        assert link not in client.get(reverse("home")).content.decode()
