"""Ranking by weighted mean with spread and count, divergent scores, committee exports."""

import csv
import io
import random
import statistics
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from calls.models import ReviewCriterion
from reviews import selectors, services

from .factories import ReviewerProfileFactory, assign, submitted_application
from .helpers import url

pytestmark = pytest.mark.django_db


def submitted_review(application, scores, recommendation="support"):
    reviewer = ReviewerProfileFactory(institution="").user
    assignment = assign(application, reviewer)
    criteria = ReviewCriterion.objects.filter(call=application.call).order_by("position")
    services.save_review(
        assignment,
        reviewer,
        scores={c.pk: (s, "") for c, s in zip(criteria, scores, strict=True)},
        recommendation=recommendation,
        submit=True,
    )
    return assignment


@pytest.fixture
def scored_call(call):
    # Weights 2 and 1 (ClosedCallFactory).
    agreeing = submitted_application(call)  # (5,2) -> 4.00 and (2,2) -> 2.00: mean 3.00, spread 1.00
    submitted_review(agreeing, [5, 2])
    submitted_review(agreeing, [2, 2])
    divergent = submitted_application(call)  # (5,5) -> 5.00 and (1,2) -> 1.33: mean 3.17, spread 1.83
    submitted_review(divergent, [5, 5])
    submitted_review(divergent, [1, 2])
    single = submitted_application(call)  # (4,4) -> 4.00
    submitted_review(single, [4, 4])
    draft_only = submitted_application(call)  # a draft review does not count
    reviewer = ReviewerProfileFactory(institution="").user
    services.save_review(assign(draft_only, reviewer), reviewer, scores={})
    return call, agreeing, divergent, single, draft_only


def test_weighted_mean_of_one_review():
    assert selectors.weighted_score({1: 5, 2: 2}, {1: Decimal(2), 2: Decimal(1)}) == Decimal(4)


def test_ranking_orders_by_weighted_mean_with_spread_count_and_divergence(scored_call):
    call, agreeing, divergent, single, draft_only = scored_call
    _criteria, rows = selectors.ranking(call)
    by_app = {row.application.pk: row for row in rows}
    assert [row.application.pk for row in rows] == [single.pk, divergent.pk, agreeing.pk, draft_only.pk]
    assert [row.rank for row in rows] == [1, 2, 3, None]
    assert by_app[agreeing.pk].mean == Decimal("3.00") and by_app[agreeing.pk].spread == Decimal("1.00")
    assert not by_app[agreeing.pk].divergent
    assert by_app[divergent.pk].mean == Decimal("3.17") and by_app[divergent.pk].spread == Decimal("1.83")
    assert by_app[divergent.pk].divergent
    assert by_app[single.pk].count == 1 and by_app[single.pk].spread == Decimal("0.00")
    assert by_app[draft_only.pk].count == 0 and by_app[draft_only.pk].mean is None
    assert by_app[draft_only.pk].assigned == 1


def test_spread_exactly_at_the_threshold_is_divergent(call):
    application = submitted_application(call)
    submitted_review(application, [5, 5])  # 5.00
    submitted_review(application, [2, 2])  # 2.00 -> population standard deviation 1.50
    _criteria, rows = selectors.ranking(call)
    assert rows[0].spread == Decimal("1.50") and rows[0].divergent


def test_csv_export_holds_the_ranking(scored_call, client, staff):
    call, agreeing, divergent, single, _draft = scored_call
    client.force_login(staff)
    response = client.get(url("export_csv", call.pk))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = rows[0]
    assert header[:4] == ["Rank", "Reference", "Title", "Applicant"]
    first = dict(zip(header, rows[1], strict=True))
    assert first["Reference"] == single.reference and first["Weighted mean"] == "4.00"
    second = dict(zip(header, rows[2], strict=True))
    assert second["Divergent"] == "yes" and second["Spread (standard deviation)"] == "1.83"
    assert second["Mean: Criterion 1"] == "3.00"


def test_french_csv_export_splits_on_semicolons_with_decimal_commas(scored_call, client, staff):
    call, _agreeing, divergent, single, _draft = scored_call
    client.force_login(staff)
    response = client.get(url("export_csv", call.pk, language="fr"))
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    header = rows[0]
    assert header[:2] == ["Rang", "Référence"]
    first = dict(zip(header, rows[1], strict=True))
    assert first["Référence"] == single.reference and "4,00" in rows[1]
    second = dict(zip(header, rows[2], strict=True))
    assert second["Référence"] == divergent.reference and "1,83" in rows[2]


def test_xlsx_export_holds_the_ranking_with_numbers(scored_call, client, staff):
    call, _agreeing, divergent, _single, _draft = scored_call
    client.force_login(staff)
    response = client.get(url("export_xlsx", call.pk))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    second = dict(zip(header, [cell.value for cell in sheet[3]], strict=True))
    assert second["Reference"] == divergent.reference
    assert second["Weighted mean"] == pytest.approx(3.17) and second["Rank"] == 2


def ranking_setup(call, n):
    for _ in range(n):
        submitted_review(submitted_application(call), [4, 3])


@pytest.mark.parametrize("rows", [1, 50])
def test_ranking_page_costs_the_same_queries_with_1_and_50_applications(
    client, call, staff, rows, django_assert_num_queries
):
    ranking_setup(call, rows)
    client.force_login(staff)
    client.get(url("ranking", call.pk))
    with django_assert_num_queries(RANKING_QUERIES):
        response = client.get(url("ranking", call.pk))
    assert response.content.decode().count(">Decide<") == rows


RANKING_QUERIES = (
    9  # session, user, call, criteria, count, held letters, the page's ranks, its applications, its criterion means
)


def test_ranking_shows_fifty_rows_a_page_with_global_ranks(client, call, staff):
    ranking_setup(call, 51)
    client.force_login(staff)
    first = client.get(url("ranking", call.pk)).content.decode()
    second = client.get(url("ranking", call.pk) + "?page=2").content.decode()
    assert first.count(">Decide<") == 50
    assert second.count(">Decide<") == 1
    assert '<td data-label="Rank">51</td>' in second  # ranks run over the whole call, not the page
    assert "Applications 51 to 51 of 51." in second


def test_database_ranking_matches_the_rules_computed_by_hand_on_every_page(call):
    # Weights with decimals, one to three reviews each, a draft review, an application not scored:
    # what the database computes must be what the programme's rule gives, rounded as shown.
    first, second = ReviewCriterion.objects.filter(call=call).order_by("position")
    first.weight, second.weight = Decimal("2.50"), Decimal("0.75")
    first.save(), second.save()
    weights = {first.pk: first.weight, second.pk: second.weight}
    generator = random.Random(20261202)
    expected = {}
    for _ in range(11):
        application = submitted_application(call)
        reviews = [[generator.randint(1, 5), generator.randint(1, 5)] for _ in range(generator.randint(0, 3))]
        for scores in reviews:
            submitted_review(application, scores)
        weighted = [selectors.weighted_score({first.pk: a, second.pk: b}, weights) for a, b in reviews]
        expected[application.pk] = (
            (sum(weighted, Decimal(0)) / len(weighted)).quantize(Decimal("0.01")) if weighted else None,
            Decimal(statistics.pstdev(weighted)).quantize(Decimal("0.01")) if weighted else Decimal(0),
            len(weighted),
            [
                (sum(Decimal(r[i]) for r in reviews) / len(reviews)).quantize(Decimal("0.01")) if reviews else None
                for i in (0, 1)
            ],
            application.reference,
        )
    order = sorted(expected, key=lambda pk: (expected[pk][0] is None, -(expected[pk][0] or 0), expected[pk][4]))

    _criteria, rows = selectors.ranking(call)
    assert [row.application.pk for row in rows] == order
    for position, row in enumerate(rows, start=1):
        mean, spread, count, cells, _reference = expected[row.application.pk]
        assert (row.mean, row.spread, row.count, [c["mean"] for c in row.criterion_cells]) == (
            mean,
            spread,
            count,
            cells,
        )
        assert row.rank == (position if mean is not None else None)
    _criteria, pages = selectors.ranking_pages(call)
    assert len(pages) == 11
    paged = pages[0:4] + pages[4:8] + pages[8:12]
    assert [(r.application.pk, r.rank, r.mean, r.spread) for r in paged] == [
        (r.application.pk, r.rank, r.mean, r.spread) for r in rows
    ]
