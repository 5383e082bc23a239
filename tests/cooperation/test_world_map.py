"""The world map's pure parts: the TopoJSON decoder, the Equal Earth projection, the classes of the
shading (cooperation.world_map, cooperation.world_views)."""

import pytest

from cooperation import world_map
from cooperation.world_views import breaks, shade


def test_arcs_are_delta_decoded_and_mapped_back_by_the_transform():
    topology = {
        "transform": {"scale": [0.5, 2], "translate": [-10, 20]},
        "arcs": [[[0, 0], [2, 0], [0, 3]], [[2, 3], [-2, -3]]],
    }
    assert world_map.decode_arcs(topology) == [[(-10, 20), (-9, 20), (-9, 26)], [(-9, 26), (-10, 20)]]


def test_a_ring_joins_its_arcs_once_each_and_reverses_negative_ones():
    arcs = [[(0, 0), (1, 0), (1, 1)], [(0, 0), (0, 1), (1, 1)]]
    # Arc 0 then arc 1 reversed (~1 == -2): the shared corner (1, 1) is kept once.
    assert world_map.ring(arcs, [0, ~1]) == [(0, 0), (1, 0), (1, 1), (0, 1), (0, 0)]


def test_equal_earth_centres_the_map_and_is_symmetric():
    assert world_map.equal_earth(0, 0) == (0, 0)
    x, y = world_map.equal_earth(180, 0)
    assert x == pytest.approx(2.7066, abs=1e-3) and y == 0
    assert world_map.equal_earth(-45, -30) == pytest.approx(tuple(-v for v in world_map.equal_earth(45, 30)))
    # Paris is north-west of Tokyo on the map: smaller x, smaller y (the viewBox's y points down).
    paris, tokyo = world_map.project(2.35, 48.86), world_map.project(139.65, 35.68)
    assert paris[0] < tokyo[0] and paris[1] < tokyo[1]
    assert 0 < paris[0] < world_map.WIDTH and 0 < tokyo[1] < world_map.HEIGHT


def test_a_ring_across_the_antimeridian_is_cut_in_two_inside_the_world():
    pieces = world_map.clip_to_world([(170, 0), (-170, 0), (-170, 10), (170, 10), (170, 0)])
    assert len(pieces) == 2
    for piece in pieces:
        assert all(-180 <= x <= 180 for x, _y in piece)
    assert {round(min(x for x, _y in piece)) for piece in pieces} == {170, -180}


@pytest.mark.parametrize(
    ("highest", "expected"),
    [(0, []), (1, [1]), (3, [1, 2, 3]), (100, [3, 6, 16, 40, 100]), (99, [3, 6, 16, 39, 99])],
)
def test_five_classes_at_most_on_a_geometric_scale(highest, expected):
    assert breaks(highest) == expected


def test_the_highest_count_is_always_the_darkest_class_and_none_is_grey():
    assert shade(0, breaks(100)) == "c0"
    assert shade(100, breaks(100)) == "c5"
    assert shade(3, breaks(3)) == "c5"
    assert shade(1, breaks(100)) == "c1"
    assert shade(17, breaks(100)) == "c4"
