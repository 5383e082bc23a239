"""The world map of "Inserm in the world", drawn server-side as SVG paths, offline.

The country shapes are Natural Earth's 1:110m countries as the npm package world-atlas 2.0.2 ships
them (cooperation/data/world-atlas/, vendored with its ISC licence). This module decodes its
TopoJSON (shared arcs, delta-encoded quantized positions, the transform back to degrees) and
projects it with the Equal Earth projection (Šavrič, Patterson & Jenny, 2018): equal-area, so a
large country does not look larger than it is, and its straight parallels keep the map compact.
Antarctica is left out (no cooperation there; it would only take room). Coordinates are rounded to
one decimal of a 1000-unit-wide viewBox, which keeps the whole map near 100 KB of HTML.

Pure Python, no database: the paths are computed once per process (functools.cache).
"""

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ATLAS = Path(__file__).resolve().parent / "data" / "world-atlas" / "countries-110m.json"

#: The viewBox: 1000 units wide; Equal Earth's height follows from its aspect ratio (≈ 0.487).
WIDTH = 1000
LEFT_OUT = {"010"}  # Antarctica

# Equal Earth's constants (Šavrič et al., 2018, eq. 2).
A1, A2, A3, A4 = 1.340264, -0.081106, 0.000893, 0.003796
M = math.sqrt(3) / 2
X_MAX = math.pi / (M * A1)  # x at longitude 180°, latitude 0
SCALE = WIDTH / (2 * X_MAX)
# The land runs from 84° north (Greenland); Antarctica is left out, so the map stops at 60° south.
NORTH, SOUTH = 84.0, -60.0


def equal_earth(longitude, latitude):
    """Equal Earth's (x, y) for a position in degrees, y pointing north, unscaled."""
    lam, phi = math.radians(longitude), math.radians(latitude)
    theta = math.asin(M * math.sin(phi))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = lam * math.cos(theta) / (M * (A1 + 3 * A2 * t2 + t6 * (7 * A3 + 9 * A4 * t2)))
    y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2))
    return x, y


Y_MAX = equal_earth(0, NORTH)[1]
HEIGHT = round((Y_MAX - equal_earth(0, SOUTH)[1]) * SCALE)


def project(longitude, latitude):
    """A position in degrees → (x, y) in the map's viewBox (origin top left), rounded."""
    x, y = equal_earth(float(longitude), float(latitude))
    return round((x + X_MAX) * SCALE, 1), round((Y_MAX - y) * SCALE, 1)


def decode_arcs(topology):
    """Each arc of a TopoJSON topology as a list of (longitude, latitude): positions are quantized
    integers, each one a delta from the previous, mapped back by the topology's transform."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        if transform is None:
            arcs.append([(float(x), float(y)) for x, y, *_rest in arc])
            continue
        (kx, ky), (dx, dy) = transform["scale"], transform["translate"]
        x = y = 0
        points = []
        for qx, qy, *_rest in arc:
            x += qx
            y += qy
            points.append((x * kx + dx, y * ky + dy))
        arcs.append(points)
    return arcs


def ring(arcs, indexes):
    """A closed ring from arc indexes; ~i (a negative index) is arc i reversed. Consecutive arcs
    share their end point, which is kept once."""
    points = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def unwrap(points):
    """A ring whose longitudes run on across the antimeridian (179, 181 rather than 179, -179)."""
    result = [points[0]]
    for longitude, latitude in points[1:]:
        previous = result[-1][0]
        while longitude - previous > 180:
            longitude -= 360
        while previous - longitude > 180:
            longitude += 360
        result.append((longitude, latitude))
    return result


def clip_to_world(points):
    """A ring cut at the antimeridian: the part on each side, each shifted back into [-180, 180].
    Where an edge crosses ±180 the crossing point is inserted, then the positions beyond it are
    clamped onto the line (the clamped parts have no area)."""
    points = unwrap(points)
    low, high = min(p[0] for p in points), max(p[0] for p in points)
    if low >= -180 and high <= 180:
        return [points]
    pieces = []
    for shift in (0, 360, -360):
        shifted = [(x + shift, y) for x, y in points]
        if max(x for x, _y in shifted) <= -180 or min(x for x, _y in shifted) >= 180:
            continue
        pieces.append(_clamp([*shifted, shifted[0]]))
    return [piece for piece in pieces if _area(piece) > 1e-6]


def _clamp(points):
    result = []
    for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
        result.append((x1, y1))
        for edge in (-180, 180):
            if (x1 - edge) * (x2 - edge) < 0:
                result.append((edge, y1 + (y2 - y1) * (edge - x1) / (x2 - x1)))
    clamped = [(max(-180.0, min(180.0, x)), y) for x, y in result]
    # A run of positions clamped onto the line has no area, but its stroke would show along the
    # (curved) meridian: only the run's ends are kept.
    return [
        point
        for index, point in enumerate(clamped)
        if abs(point[0]) != 180
        or abs(clamped[index - 1][0]) != 180
        or abs(clamped[(index + 1) % len(clamped)][0]) != 180
    ]


def _area(points):
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True))) / 2


def polygons(geometry):
    """A geometry's polygons, each a list of rings of arc indexes."""
    if geometry.get("type") == "Polygon":
        return [geometry["arcs"]]
    if geometry.get("type") == "MultiPolygon":
        return geometry["arcs"]
    return []


def path_data(rings):
    """SVG path data for projected rings: relative moves keep it short; a point that rounds onto
    the previous one is dropped."""
    parts = []
    for points in rings:
        projected = []
        for longitude, latitude in points:
            point = project(longitude, latitude)
            if not projected or point != projected[-1]:
                projected.append(point)
        if len(projected) < 3:
            continue
        (x0, y0), *rest = projected
        pairs = []
        previous = (x0, y0)
        for x, y in rest:
            pairs.append(_n(round(x - previous[0], 1)) + _signed(round(y - previous[1], 1)))
            previous = (x, y)
        steps = "".join(pair if index == 0 or pair.startswith("-") else " " + pair for index, pair in enumerate(pairs))
        parts.append(f"M{_n(x0)} {_n(y0)}l{steps}z")
    return "".join(parts)


def _n(value):
    """A number as short as SVG allows: 12.0 → 12, 0.5 → .5, -0.5 → -.5."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    if text in ("-0", ""):
        return "0"
    if text.startswith("0."):
        return text[1:]
    if text.startswith("-0."):
        return "-" + text[2:]
    return text


def _signed(value):
    """The second number of a pair: a minus sign separates it already, else a space."""
    text = _n(value)
    return text if text.startswith("-") else " " + text


@dataclass(frozen=True)
class CountryShape:
    numeric: str  # ISO 3166-1 numeric as world-atlas spells it ("392"), "" when it has none
    alpha2: str  # "JP"; "" for the shapes without an ISO code (Kosovo, N. Cyprus, Somaliland)
    name: str  # Natural Earth's English name, used only when the code is unknown
    d: str


@cache
def country_shapes():
    """Every country of the atlas as a CountryShape, in the atlas's order (computed once)."""
    from django_countries import countries

    topology = json.loads(ATLAS.read_text(encoding="utf-8"))
    arcs = decode_arcs(topology)
    shapes = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        numeric = geometry.get("id") or ""
        if numeric in LEFT_OUT:
            continue
        rings = [
            piece
            for polygon in polygons(geometry)
            for indexes in polygon
            for piece in clip_to_world(ring(arcs, indexes))
        ]
        d = path_data(rings)
        if not d:
            continue
        alpha2 = (countries.alpha2(int(numeric)) or "") if numeric.isdigit() else ""
        shapes.append(CountryShape(numeric, alpha2, geometry.get("properties", {}).get("name", ""), d))
    return tuple(shapes)


# The markers of the sites, one shape per kind, centred on (0, 0), about 9 units across.
MARKER_SHAPES = {
    "circle": "m-4.5 0a4.5 4.5 0 1 0 9 0a4.5 4.5 0 1 0-9 0z",
    "square": "m-3.6-3.6h7.2v7.2h-7.2z",
    "triangle": "m0-5l4.6 8h-9.2z",
    "diamond": "m0-5l5 5l-5 5l-5-5z",
    "star": "m0-5.5l1.3 3.7h3.9l-3.1 2.4l1.2 3.8l-3.3-2.3l-3.3 2.3l1.2-3.8l-3.1-2.4h3.9z",
}


def marker_path(shape, x, y):
    """The path data of a marker of `shape` at (x, y)."""
    return f"M{_n(x)} {_n(y)}" + MARKER_SHAPES[shape]
