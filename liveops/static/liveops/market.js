// Market intelligence charts (LC-2, MC-3). Data comes from the json_script block named by each
// chart's data-source; no inline scripts (the Content Security Policy forbids them).
(function () {
  function lines(days, series, kind) {
    return {
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", top: 0 },
      grid: { left: 60, right: 20, top: 40, bottom: 30 },
      xAxis: { type: "category", data: days },
      yAxis: { type: "value", scale: kind === "price" },
      series: series.map(function (s) {
        return kind === "velocity"
          ? { name: s.shop, type: "bar", stack: "sales", data: s.values }
          : { name: s.shop, type: "line", connectNulls: false, showSymbol: false, data: s.values };
      }),
    };
  }
  function share(data) {
    return {
      tooltip: { trigger: "item", formatter: "{b}: {d}%" },
      legend: { type: "scroll", orient: "vertical", right: 0, top: 10, bottom: 10 },
      series: [{
        name: data.labels.share, type: "pie", radius: ["35%", "70%"], center: ["40%", "50%"],
        data: data.share.filter(function (r) { return r.increase > 0; }).map(function (r) {
          return { name: r.shop, value: r.increase };
        }),
      }],
    };
  }
  function promotion(data) {
    var rows = data.promotion.filter(function (r) { return r.change_pct !== null; });
    return {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 80, right: 20, top: 30, bottom: 20 },
      xAxis: { type: "value", axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", data: rows.map(function (r) { return r.shop; }) },
      series: [
        { name: data.labels.change, type: "bar", data: rows.map(function (r) { return r.change_pct; }) },
        { name: data.labels.like_for_like, type: "bar", data: rows.map(function (r) { return r.like_for_like_pct; }) },
      ],
    };
  }
  function listing(data) {
    var l = data.listing;
    return {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 60, right: 70, top: 30, bottom: 30 },
      xAxis: { type: "category", data: l.days },
      yAxis: [{ type: "value", scale: true, name: data.labels.listing_price }, { type: "value", scale: true, name: data.labels.listing_sales }],
      series: [
        { name: data.labels.listing_price, type: "line", step: "end", data: l.price },
        { name: data.labels.listing_sales, type: "line", yAxisIndex: 1, data: l.sales },
      ],
    };
  }
  function option(kind, data) {
    if (kind === "price") { return lines(data.days, data.price_history, "price"); }
    if (kind === "velocity") { return lines(data.days, data.velocity, "velocity"); }
    if (kind === "share") { return share(data); }
    if (kind === "promotion") { return promotion(data); }
    if (kind === "listing" && data.listing) { return listing(data); }
    return null;
  }
  document.addEventListener("DOMContentLoaded", function () {
    var charts = [];
    document.querySelectorAll("[data-market-chart]").forEach(function (el) {
      var source = document.getElementById(el.dataset.source);
      if (!source || typeof echarts === "undefined") { return; }
      var opt = option(el.dataset.marketChart, JSON.parse(source.textContent));
      if (!opt) { return; }
      var chart = echarts.init(el);
      chart.setOption(opt);
      charts.push(chart);
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  });
})();
