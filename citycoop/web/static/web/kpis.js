// Each KPI's snapshots over time, as a small line chart; the same figures are in the table
// under it, for readers without JavaScript. Deferred scripts (Chart.js) have run by the time
// DOMContentLoaded fires.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  const source = document.getElementById("kpi-trends");
  if (!source || typeof Chart === "undefined") { return; }
  const data = JSON.parse(source.textContent);
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.animation = false;
  Object.keys(data).forEach(function (slug) {
    const canvas = document.getElementById("trend-" + slug);
    if (!canvas) { return; }
    new Chart(canvas, {
      type: "line",
      data: { labels: data[slug].labels,
              datasets: [{ data: data[slug].values, borderColor: "#003399",
                           backgroundColor: "#003399", pointRadius: 2, tension: 0 }] },
      options: { maintainAspectRatio: false, plugins: { legend: { display: false } },
                 scales: { y: { beginAtZero: true, ticks: { precision: 0, maxTicksLimit: 4 } },
                           x: { ticks: { maxTicksLimit: 4 } } } },
    });
  });
});
