// Shop dashboard, anchor and product sales charts (EC-1, LC-1, LC-4). Data comes from the
// json_script block named by each chart's data-source; no inline scripts (the Content Security
// Policy forbids them).
(function () {
  function twoAxes(periods, left, right, leftType) {
    return {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 60, right: 60, top: 36, bottom: 30 },
      xAxis: { type: "category", data: periods },
      yAxis: [{ type: "value", name: left.name }, { type: "value", name: right.name }],
      series: [
        { name: left.name, type: leftType || "bar", data: left.data },
        { name: right.name, type: "line", yAxisIndex: 1, showSymbol: periods.length < 40, data: right.data },
      ],
    };
  }
  function rates(d) {
    return {
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null || v === undefined ? "–" : v + "%"; } },
      legend: { top: 0 },
      grid: { left: 50, right: 20, top: 36, bottom: 30 },
      xAxis: { type: "category", data: d.periods },
      yAxis: { type: "value", axisLabel: { formatter: "{value}%" } },
      series: [
        { name: d.labels.refund_rate, type: "line", connectNulls: false, data: d.refund_rate },
        { name: d.labels.conversion, type: "line", connectNulls: false, data: d.conversion },
      ],
    };
  }
  function option(kind, d) {
    var L = d.labels || {};
    if (kind === "gmv") { return twoAxes(d.periods, { name: L.gmv, data: d.gmv }, { name: L.orders, data: d.orders }); }
    if (kind === "buyers") { return twoAxes(d.periods, { name: L.buyers, data: d.buyers }, { name: L.aov, data: d.aov }); }
    if (kind === "rates") { return rates(d); }
    if (kind === "hours" && d.hour) {
      return twoAxes(d.hour.hours, { name: d.hour.labels.gmv, data: d.hour.gmv }, { name: d.hour.labels.orders, data: d.hour.orders });
    }
    if (kind === "days") { return twoAxes(d.periods, { name: L.gmv, data: d.gmv }, { name: L.orders, data: d.orders }); }
    return null;
  }
  document.addEventListener("DOMContentLoaded", function () {
    var charts = [];
    document.querySelectorAll("[data-commerce-chart]").forEach(function (el) {
      var source = document.getElementById(el.dataset.source);
      if (!source || typeof echarts === "undefined") { return; }
      var opt = option(el.dataset.commerceChart, JSON.parse(source.textContent));
      if (!opt) { return; }
      var chart = echarts.init(el);
      chart.setOption(opt);
      charts.push(chart);
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  });
})();
