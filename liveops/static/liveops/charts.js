// Draws every ECharts chart on the page from JSON embedded with Django's json_script
// (no inline scripts: the Content Security Policy forbids them).
(function () {
  function orgTree(el, data) {
    var chart = echarts.init(el);
    function toNode(n) {
      return {
        name: n.name + " (" + n.total_headcount + ")",
        value: n.code,
        collapsed: false,
        children: (n.children || []).map(toNode),
        itemStyle: { color: { body: "#6f42c1", office: "#0d6efd", centre: "#198754", department: "#fd7e14" }[n.kind] || "#6c757d" },
      };
    }
    chart.setOption({
      tooltip: { trigger: "item", triggerOn: "mousemove" },
      series: [{
        type: "tree", data: data.map(toNode), orient: "TB", top: "5%", bottom: "12%", left: "2%", right: "2%",
        symbolSize: 10, initialTreeDepth: -1, expandAndCollapse: true,
        label: { position: "bottom", rotate: 0, verticalAlign: "middle", align: "center", fontSize: 11, width: 70, overflow: "break" },
        leaves: { label: { position: "bottom", rotate: -90, verticalAlign: "middle", align: "left" } },
      }],
    });
    chart.on("click", function (p) { if (p.value) { window.location.href = el.dataset.unitUrl.replace("__code__", p.value); } });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function lines(el, data) {
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 70, right: 20, top: 30, bottom: 30 },
      xAxis: { type: "category", data: data.periods },
      yAxis: { type: "value" },
      series: data.series.map(function (s) { return { name: s.name, type: "line", smooth: true, data: s.data }; }),
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var data = JSON.parse(document.getElementById(el.dataset.source).textContent);
      if (el.dataset.chart === "org-tree") { orgTree(el, data); }
      if (el.dataset.chart === "lines") { lines(el, data); }
    });
  });
})();
