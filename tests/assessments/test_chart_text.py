"""Progress charts stay readable (text >= 12 px at the smallest drawn width, no label cut off) and carry their data as
a table for screen readers."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from decimal import Decimal

from assessments import charts


def _series(n_days: int = 8) -> list[charts.Series]:
    days = [dt.date(2026, 9, 1) + dt.timedelta(days=7 * i) for i in range(n_days)]
    return [
        charts.Series(label=label, points=[charts.Point(day=d, value=Decimal(base + i)) for i, d in enumerate(days)])
        for label, base in (("Now", 1), ("Worst 24 h", 3), ("Running", 2), ("Stairs", 0))
    ]


def test_chart_text_is_at_least_12_px_when_drawn_at_its_smallest_width():
    svg = charts.line_chart(title="Pain", series=_series(), y_min=0, y_max=10)
    width = int(re.search(r'viewBox="0 0 (\d+) ', svg).group(1))
    sizes = {int(size) for size in re.findall(r'font-size="(\d+)"', svg)}
    assert min(sizes) * charts.MIN_WIDTH / width >= 12


def test_every_legend_line_and_date_label_fits_inside_the_chart():
    svg = charts.line_chart(title="Pain", series=_series(), y_min=0, y_max=10)
    width, height = (int(v) for v in re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).groups())
    ys = [float(y) for y in re.findall(r'<text x="[\d.]+" y="([\d.]+)"', svg)]
    assert max(ys) <= height - 4
    assert all(label in svg for label in ("Now", "Worst 24 h", "Running", "Stairs"))
    # Dates are thinned so that no two labels overlap: at least 70 units (about a label and a half) apart.
    date_y = charts.PLOT_HEIGHT - 6
    xs = [float(x) for x in re.findall(rf'<text x="([\d.]+)" y="{date_y}"', svg)]
    assert len(xs) >= 3
    assert all(b - a >= 70 for a, b in itertools.pairwise(xs))
    assert max(xs) <= width


def test_the_data_table_holds_every_value_with_its_date_and_series():
    table = charts.data_table(title="Pain", series=_series(3), unit="")
    assert '<th scope="col">Worst 24 h</th>' in table
    assert '<th scope="row">15 Sep 2026</th><td>3</td><td>5</td><td>4</td><td>2</td>' in table
    assert "<caption" in table
