// The results framework's chart: target and approved value per indicator and period, as bars.
// The same figures are in the table under it, for readers without JavaScript. Deferred
// scripts (Chart.js) have run by the time DOMContentLoaded fires.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  const source = document.getElementById("results-chart-data");
  const canvas = document.getElementById("results-chart");
  if (!source || !canvas || typeof Chart === "undefined") { return; }
  const data = JSON.parse(source.textContent);
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.animation = false;
  // Long indicator names would be cut at the chart's edge: shorten them; the table has them whole.
  const labels = data.labels.map(function (label) {
    return label.length > 40 ? label.slice(0, 38) + "…" : label;
  });
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: labels,
      datasets: [
        { label: data.target_label, data: data.target, backgroundColor: "#b8c7e6" },
        { label: data.actual_label, data: data.actual, backgroundColor: "#003399" },
      ],
    },
    options: {
      maintainAspectRatio: false,
      plugins: { legend: { position: "bottom" },
                 tooltip: { callbacks: { title: function (items) {
                   return data.labels[items[0].dataIndex]; } } } },
      scales: { y: { beginAtZero: true } },
    },
  });
});
