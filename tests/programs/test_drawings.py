"""The four redrawn exercise figures show the right thing, checked on their geometry (SVG user units, y down)."""

import math
import xml.etree.ElementTree as ET

from django.contrib.staticfiles import finders

NS = {"svg": "http://www.w3.org/2000/svg"}


def shapes(name: str) -> tuple[list[list[tuple[float, float]]], list[dict]]:
    root = ET.parse(finders.find(f"programs/{name}.svg")).getroot()  # noqa: S314 - our own static files
    lines = [
        [tuple(float(v) for v in point.split(",")) for point in p.get("points").split()]
        for p in root.iter("{http://www.w3.org/2000/svg}polyline")
    ]
    return lines, [c.attrib for c in root.iter("{http://www.w3.org/2000/svg}circle")]


def angle(a, vertex, b) -> float:
    """The angle at `vertex` between the segments to a and b, in degrees (180 = straight)."""
    ax, ay, bx, by = a[0] - vertex[0], a[1] - vertex[1], b[0] - vertex[0], b[1] - vertex[1]
    return math.degrees(math.acos((ax * bx + ay * by) / (math.hypot(ax, ay) * math.hypot(bx, by))))


def test_every_drawing_is_an_accessible_svg_of_the_same_size_and_style():
    for name in ("sl_deadlift", "clamshell", "wall_press", "single_leg_bridge"):
        root = ET.parse(finders.find(f"programs/{name}.svg")).getroot()  # noqa: S314 - our own static files
        assert root.get("viewBox") == "0 0 200 140" and root.get("role") == "img"
        assert root.find("svg:title", NS).text.strip()
        group = root.find("svg:g", NS)
        assert (group.get("stroke"), group.get("stroke-width")) == ("#1d2733", "4")


def test_single_leg_deadlift_free_foot_points_down_to_the_floor():
    lines, _ = shapes("sl_deadlift")
    free_leg = next(line for line in lines if line[0] == (104, 70) and line[-1][0] > 150)
    ankle = free_leg[-1]  # (172, 64), the leg reaching back in line with the trunk
    foot = next(line for line in lines if line[0] == ankle)
    assert foot[-1][1] - ankle[1] >= 10  # toes 14 units lower than the ankle: pointing down, not up
    # The free leg stays level with the hip (in line with the flat back): 70 -> 64 over 68 units, about 5 degrees.
    assert abs(math.degrees(math.atan2(ankle[1] - 70, ankle[0] - 104))) < 10


def test_single_leg_bridge_hips_are_fully_extended():
    lines, _ = shapes("single_leg_bridge")
    shoulder, hip, knee = next(line for line in lines if len(line) == 3 and line[1] == (100, 94))
    # Shoulder (35,120), hip (100,94), knee (142,77): slopes -0.400 and -0.405, a straight line at the hip.
    assert angle(shoulder, hip, knee) > 178


def test_clamshell_has_hips_and_knees_bent_and_the_feet_together():
    lines, _ = shapes("clamshell")
    trunk = next(line for line in lines if line[-1] == (100, 101))
    bottom = next(line for line in lines if line[0] == (100, 104))
    top = next(line for line in lines if line[0] == (100, 98))
    # Bottom leg: hip (100,104), knee (124,126), foot (152,104): knee 99 degrees; hip 140 (40 of flexion).
    assert angle(bottom[0], bottom[1], bottom[2]) < 120
    assert angle(trunk[0], trunk[-1], bottom[1]) < 150
    # Feet together (152,104) and (152,100); the top knee opens above the bottom one (76 vs 126).
    assert math.dist(bottom[2], top[2]) <= 5
    assert top[1][1] < bottom[1][1] - 30


def test_wall_press_knee_reaches_the_wall_with_the_thigh_lifted_forward():
    lines, circles = shapes("wall_press")
    # Side view: hip (40,78), knee (68,78), foot (68,104)...: thigh level with the hip (lifted forward), knee bent.
    side = next(line for line in lines if line[0] == (40, 78) and line[1][0] > 60)
    assert side[1][1] == side[0][1] and angle(side[0], side[1], side[2]) == 90
    # Front view: the knee (circle at x 164, r 4.5) touches the wall (x 170, 3 wide: its face at 168.5), and the
    # lifted foot (y 108) is off the floor (y 127).
    knee = next(c for c in circles if float(c["r"]) < 6)
    assert float(knee["cx"]) + float(knee["r"]) >= 168.5
    assert max(y for line in lines for x, y in line if x > 150) < 120
