"""The KPI report: a one-page summary, then each KPI with its chart, as HTML and PDF, for a
programme and a period; Chinese renders in the PDF."""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from citycoop.portfolio.models import Pairing
from citycoop.portfolio.services import update_pairing
from citycoop.registry.models import Programme
from citycoop.reports import results
from citycoop.reports.kpi_report import build_kpi_report, render_kpi_html, render_kpi_pdf
from citycoop.reports.kpis import KPIS
from citycoop.reports.results_models import ResultKind
from citycoop.reports.scope import Scope
from citycoop.reports.svg_charts import Bars, bar_chart, line_chart

pytestmark = pytest.mark.django_db

SLUG = "world-cities-2015-2016"


def world_cities() -> Programme:
    return Programme.objects.get(slug=SLUG)


def pdf_pages(data: bytes) -> list[str]:
    from pypdf import PdfReader

    # Words as read, lines joined: a figure may wrap anywhere in its box.
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


def test_the_summary_comes_first_on_one_page_and_every_kpi_follows(demo):
    report = build_kpi_report(Scope(world_cities()))
    pages = pdf_pages(render_kpi_pdf(report))
    summary = pages[0]
    assert "KPI report: World Cities 2015-2016" in summary
    assert "Summary" in summary and "The figures in detail" not in summary
    # The headline figures as the dashboard counts them, with what the status page reported.
    assert "Pilot projects" in summary and "36" in summary
    assert "reported: 24 (EU-China), 2016" in summary
    # A figure of the programme before (CETREGIO's MoUs) says whose it is.
    assert "reported: more than 20 (CETREGIO" in summary
    assert "By country group" in summary and "EU-India" in summary
    assert pages[1].lstrip().startswith("The figures in detail")
    rest = "".join(pages[1:])
    for definition in KPIS.values():
        assert str(definition.label) in rest, definition.slug


def test_the_html_draws_its_charts_as_svg_with_the_figures_beside(demo):
    html = render_kpi_html(build_kpi_report(Scope(world_cities())))
    assert "<script" not in html and "http://" not in html.replace(
        'xmlns="http://www.w3.org/2000/svg"', "")
    assert html.count("<svg") >= 6
    # The pilots' chart: one bar per status that has pilots, its value written beside it.
    chart = html[html.index('<svg', html.index('id="kpi-pilots_by_status"')):]
    chart = chart[:chart.index("</svg>")]
    assert ">Active</text>" in chart and ">31</text>" in chart
    assert ">Cancelled</text>" not in chart   # no bar for a zero


def test_a_period_narrows_the_dated_figures_and_says_so(demo):
    programme = world_cities()
    everything = build_kpi_report(Scope(programme))
    in_2030 = build_kpi_report(Scope(programme, start=datetime.date(2030, 1, 1),
                                     end=datetime.date(2030, 12, 31)))
    events = {r.value.slug: r.value.value for r in in_2030.headlines}
    assert events["events_by_kind"] == 0
    assert {r.value.slug: r.value.value for r in everything.headlines}["events_by_kind"] > 0
    html = render_kpi_html(in_2030)
    assert "Period: 2030-01-01 to 2030-12-31." in html
    assert "not narrowed by the period" in html  # the pilots carry no date


def test_the_results_framework_compares_targets_with_approved_values(demo, manager):
    programme = world_cities()
    result = results.create_result(programme, {"kind": ResultKind.OUTPUT,
                                               "title": "Officials trained"},
                                   acting_user=manager)
    indicator = results.create_indicator(result, {"name": "Officials trained",
                                                  "unit": "people"}, acting_user=manager)
    results.create_target(indicator, {"period_label": "2016",
                                      "period_start": datetime.date(2016, 1, 1),
                                      "period_end": datetime.date(2016, 12, 31),
                                      "value": Decimal(40)}, acting_user=manager)
    value = results.enter_value(indicator, period_start=datetime.date(2016, 1, 1),
                                period_end=datetime.date(2016, 12, 31), value=Decimal(30),
                                acting_user=manager, submit=True)
    results.approve(value, acting_user=manager)
    report = build_kpi_report(Scope(programme))
    assert [(r.target, r.actual, r.percent) for r in report.targets] == [
        (Decimal(40), Decimal(30), Decimal("75.0"))]
    html = render_kpi_html(report)
    assert "Results framework: target versus actual" in html
    assert "Officials trained (people)" in html and ">Approved value</text>" in html
    # A period that starts after it leaves it out.
    later = build_kpi_report(Scope(programme, start=datetime.date(2017, 1, 1)))
    assert later.targets == [] and "target versus actual" not in render_kpi_html(later)


def test_chinese_renders_in_the_pdf(demo):
    with translation.override("zh-hans"):
        data = render_kpi_pdf(build_kpi_report(Scope(world_cities())))
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    text = "".join(page.extract_text() for page in reader.pages)
    with translation.override("zh-hans"):
        labels = [str(definition.label) for definition in KPIS.values()]
    assert "试点项目" in labels
    assert all(label in text for label in labels)
    fonts = {str(font["/BaseFont"]) for page in reader.pages
             for font in page["/Resources"]["/Font"].values()}
    assert any("CJK" in name for name in fonts)


def test_the_download_follows_the_dashboard_filters_and_who_asks(client, demo, manager):
    pairing = Pairing.objects.get(slug="tianjin-lazio")
    update_pairing(pairing, {"is_public": False}, acting_user=manager,
                   expected_version=pairing.version)
    url = f"/kpis/{SLUG}/report.html"
    public = client.get(url)
    assert public.status_code == 200 and public["Content-Type"].startswith("text/html")
    assert "Public records only." in public.content.decode()
    india = client.get(url, {"group": "EU-India"}).content.decode()
    assert "Country group: EU-India." in india and "By country group" not in india
    pdf = client.get(f"/kpis/{SLUG}/report.pdf", {"start": "2016-01-01"})
    assert pdf["Content-Type"] == "application/pdf"
    assert "attachment" in pdf["Content-Disposition"]
    assert "Period: 2016-01-01 to …." in pdf_pages(pdf.content)[0]
    client.force_login(manager)
    internal = client.get(url)
    assert "All records, internal ones included." in internal.content.decode()
    assert internal["Cache-Control"] == "private, no-store"
    assert client.get(f"/kpis/{SLUG}/report.docx").status_code == 404
    assert client.get("/kpis/nope/report.html").status_code == 404


def test_the_dashboard_links_to_the_report_of_what_it_shows(client, demo):
    page = client.get(f"/kpis/{SLUG}/", {"group": "EU-China"}).content.decode()
    assert f"/kpis/{SLUG}/report.pdf?group=EU-China" in page


def test_the_command_writes_the_report_and_refuses_bad_filters(demo, tmp_path, capsys):
    out = tmp_path / "kpis.pdf"
    call_command("report", "kpis", "--format", "pdf", "--output", str(out),
                 "--start", "2016-01-01", "--end", "2016-12-31")
    assert out.read_bytes().startswith(b"%PDF")
    assert "Period: 2016-01-01 to 2016-12-31." in pdf_pages(out.read_bytes())[0]
    call_command("report", "kpis", "--group", "EU-China")
    assert "Country group: EU-China." in capsys.readouterr().out
    with pytest.raises(CommandError, match="--group"):
        call_command("report", "kpis", "--group", "EU-Atlantis")
    with pytest.raises(CommandError, match="ends before it starts"):
        call_command("report", "kpis", "--start", "2017-01-01", "--end", "2016-01-01")
    with pytest.raises(CommandError, match="html or pdf"):
        call_command("report", "kpis", "--format", "md")
    with pytest.raises(CommandError, match="--output"):
        call_command("report", "kpis", "--format", "pdf")


def test_a_bar_chart_scales_its_bars_escapes_its_labels_and_marks_missing_figures():
    svg = str(bar_chart([Bars("<b>big</b>", (10,)), Bars("half", (5,)), Bars("none", (None,))],
                        title="Test & chart", width=300))
    assert "&lt;b&gt;big&lt;/b&gt;" in svg and "<b>" not in svg
    assert "<title>Test &amp; chart</title>" in svg
    widths = [float(w) for w in re.findall(r'<rect [^>]*width="([\d.]+)" height="9.0"', svg)]
    assert len(widths) == 2 and widths[0] == pytest.approx(2 * widths[1], rel=0.01)
    assert ">no figure</text>" in svg


def test_a_line_chart_puts_each_point_and_its_dates():
    svg = str(line_chart([("2016-01-01", 3), ("2017-01-01", 9)], title="t"))
    assert svg.count("<circle") == 2 and "<polyline" in svg
    assert ">2016-01-01</text>" in svg and ">2017-01-01</text>" in svg and ">9</text>" in svg
