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

  // Long pairing names would be cut at the chart's edge: shorten them; the table has them whole.
  function shortLabel(value) {
    const label = this.getLabelForValue(value);
    return label.length > 24 ? label.slice(0, 23) + "…" : label;
  }

  function bar(id, series, horizontal) {
    const canvas = document.getElementById(id);
    if (!canvas || !series.labels.length) { return; }
    new Chart(canvas, {
      type: "bar",
      data: { labels: series.labels,
              datasets: [{ data: series.values, backgroundColor: palette[0] }] },
      options: { indexAxis: horizontal ? "y" : "x", plugins: { legend: { display: false } },
                 scales: { x: { ticks: { precision: 0 } },
                           y: { ticks: { precision: 0, callback: horizontal ? shortLabel : undefined } } } },
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
    new Chart(events, {
      type: "bar",
      data: { labels: data.events_per_quarter.labels,
              datasets: [
                { label: events.dataset.eventsLabel, data: data.events_per_quarter.events,
                  backgroundColor: palette[0] },
                { label: events.dataset.participantsLabel,
                  data: data.events_per_quarter.participants, backgroundColor: palette[3] },
              ] },
      options: { scales: { y: { ticks: { precision: 0 } } } },
    });
  }
}());
