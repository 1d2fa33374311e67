// Charts of the sourcing pages, drawn from JSON embedded with Django's json_script (the Content
// Security Policy forbids inline scripts). charts.js draws the org charts; this file adds
// "price-line": a product's price history, one line per kind of price.
(function () {
  function priceLine(el, data) {
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 50, right: 20, top: 30, bottom: 30 },
      xAxis: { type: "category", data: data.days },
      yAxis: { type: "value", name: "¥", scale: true },
      series: (data.series || []).map(function (s) {
        return { name: s.name, type: "line", step: "end", connectNulls: true, data: s.data.map(function (v) { return v === null ? null : Number(v); }) };
      }),
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.chart !== "price-line") { return; }
      var data = JSON.parse(document.getElementById(el.dataset.source).textContent);
      priceLine(el, data);
    });
  });
})();
