// Quality control charts, drawn from JSON embedded with Django's json_script (the Content Security
// Policy forbids inline scripts). Scorecards: one bar per merchant, red when below the threshold.
(function () {
  function scorecards(el, data) {
    var chart = echarts.init(el);
    var threshold = parseFloat(el.dataset.threshold || "70");
    chart.setOption({
      tooltip: { trigger: "axis" },
      grid: { left: 40, right: 16, top: 16, bottom: 80 },
      xAxis: { type: "category", data: data.map(function (d) { return d.name; }), axisLabel: { rotate: 40, fontSize: 10, interval: 0 } },
      yAxis: { type: "value", min: 0, max: 100 },
      series: [{
        type: "bar",
        data: data.map(function (d) { return { value: d.total, itemStyle: { color: d.flagged ? "#dc3545" : "#198754" } }; }),
        markLine: { symbol: "none", silent: true, lineStyle: { type: "dashed", color: "#6c757d" }, data: [{ yAxis: threshold }] },
      }],
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-quality-chart]").forEach(function (el) {
      var source = document.getElementById(el.dataset.source);
      if (!source || typeof echarts === "undefined") { return; }
      var data = JSON.parse(source.textContent);
      if (el.dataset.qualityChart === "scorecards") { scorecards(el, data); }
    });
  });
})();
