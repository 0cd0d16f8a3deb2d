// Draws the home page's charts from the JSON the page carries in #chart-data.
// The same figures are in the tables under each chart, for readers without JavaScript.
(function () {
  "use strict";
  const source = document.getElementById("chart-data");
  if (!source || typeof Chart === "undefined") { return; }
  const data = JSON.parse(source.textContent);
  const palette = ["#003399", "#b5121b", "#1b6b3a", "#d97706", "#6d28d9", "#0e7490",
                   "#9d174d", "#4d7c0f", "#475569", "#a16207", "#0369a1", "#be123c"];
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.animation = false;

  // Long pairing names would be cut at the chart's edge: shorten them (more on a phone, so
  // that the bars keep some room); the table has them whole.
  function shortLabel(value) {
    const label = this.getLabelForValue(value);
    const most = window.innerWidth < 600 ? 16 : 24;
    return label.length > most ? label.slice(0, most - 1) + "…" : label;
  }

  // A horizontal bar chart is as tall as its bars need, so that every bar keeps its label on
  // a narrow screen too (at a fixed ratio, a phone would get a short chart that skips labels).
  function heightForBars(canvas, count) {
    const box = document.createElement("div");
    box.className = "chart-box";
    box.style.height = (count * 26 + 40) + "px";
    canvas.parentNode.insertBefore(box, canvas);
    box.appendChild(canvas);
  }

  function bar(id, series, horizontal) {
    const canvas = document.getElementById(id);
    if (!canvas || !series.labels.length) { return; }
    if (horizontal) { heightForBars(canvas, series.labels.length); }
    new Chart(canvas, {
      type: "bar",
      data: { labels: series.labels,
              datasets: [{ data: series.values, backgroundColor: palette[0] }] },
      options: { indexAxis: horizontal ? "y" : "x", maintainAspectRatio: !horizontal,
                 plugins: { legend: { display: false } },
                 scales: { x: { ticks: { precision: 0 } },
                           y: { ticks: { precision: 0, autoSkip: !horizontal,
                                         callback: horizontal ? shortLabel : undefined } } } },
    });
  }

  bar("chart-pilots-by-pairing", data.pilots_by_pairing, true);
  bar("chart-pilots-by-theme", data.pilots_by_theme, true);
  bar("chart-pilots-by-country", data.pilots_by_country, false);

  const agreements = document.getElementById("chart-agreements-over-time");
  if (agreements && data.agreements_over_time.datasets.length) {
    new Chart(agreements, {
      type: "bar",
      data: { labels: data.agreements_over_time.labels,
              datasets: data.agreements_over_time.datasets.map(function (set, i) {
                return { label: set.label, data: set.values, backgroundColor: palette[i] };
              }) },
      options: { scales: { x: { stacked: true }, y: { stacked: true, ticks: { precision: 0 } } } },
    });
  }

  const events = document.getElementById("chart-events-per-quarter");
  if (events && data.events_per_quarter.labels.length) {
    const perQuarter = data.events_per_quarter;
    const sets = [{ label: events.dataset.eventsLabel, data: perQuarter.events,
                    backgroundColor: palette[0] }];
    // A series of zeros would only add a legend entry with nothing drawn.
    if (perQuarter.participants.some(function (n) { return n > 0; })) {
      sets.push({ label: events.dataset.participantsLabel, data: perQuarter.participants,
                  backgroundColor: palette[3] });
    }
    new Chart(events, {
      type: "bar",
      data: { labels: perQuarter.labels, datasets: sets },
      options: { scales: { y: { ticks: { precision: 0 } } } },
    });
  }
}());
