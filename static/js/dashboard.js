// Dashboard charts; the tables next to them carry the same figures without JS.
document.addEventListener("DOMContentLoaded", function () {
  if (typeof Chart === "undefined") { return; }
  var lang = document.documentElement.lang || "fr";
  var euro = new Intl.NumberFormat(lang, { style: "currency", currency: "EUR", maximumFractionDigits: 0 });
  function draw(id, dataId, colors) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var data = JSON.parse(document.getElementById(dataId).textContent);
    new Chart(el, {
      type: "bar",
      data: { labels: data.labels, datasets: [{ data: data.values.map(Number), backgroundColor: colors }] },
      options: {
        animation: false,
        plugins: { legend: { display: false }, tooltip: { callbacks: { label: function (c) { return euro.format(c.raw); } } } },
        scales: { y: { beginAtZero: true, ticks: { callback: function (v) { return euro.format(v); } } } }
      }
    });
  }
  draw("chart-aging", "data-aging", ["#6c757d", "#f0ad4e", "#e8893a", "#d9534f", "#9b1c1c"]);
  draw("chart-cash", "data-cash", "#1f7a4d");
});
