// "Amiable ou judiciaire ?" chart; the tables on the page carry the same figures without JS.
document.addEventListener("DOMContentLoaded", function () {
  if (typeof Chart === "undefined") { return; }
  var el = document.getElementById("chart-outcomes");
  if (!el) { return; }
  var data = JSON.parse(document.getElementById("data-outcomes").textContent);
  new Chart(el, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [
        { label: data.series[0], data: data.net.map(Number), backgroundColor: "#1f7a4d" },
        { label: data.series[1], data: data.paid.map(Number), backgroundColor: "#6c757d" }
      ]
    },
    options: { animation: false, scales: { y: { beginAtZero: true } } }
  });
});
