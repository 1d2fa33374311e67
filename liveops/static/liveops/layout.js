// Layout helpers shared by every page (loaded by base.html; no inline scripts: the CSP forbids them).
// 1. Every table the templates left bare is wrapped in a .table-responsive container, so a wide table
//    scrolls inside its own box instead of making the whole page scroll sideways on a phone.
// 2. Every ECharts chart is resized when its container changes size (ResizeObserver), not only when
//    the window does: the offcanvas navigation, a collapsing card or an htmx swap changes a chart's
//    width without a window resize. Works for charts drawn by any script (charts.js, market.js,
//    commerce/dashboards.js…) because it finds them by the attribute ECharts puts on their element.
(function () {
  function wrapTables(root) {
    (root || document).querySelectorAll(".site-main table").forEach(function (table) {
      if (table.closest(".table-responsive") || table.dataset.noWrap !== undefined) { return; }
      var box = document.createElement("div");
      box.className = "table-responsive";
      table.parentNode.insertBefore(box, table);
      box.appendChild(table);
    });
  }

  // A table box that scrolls must be reachable by keyboard (WCAG 2.1.1; axe: scrollable-region-focusable),
  // so it takes focus when, and only when, its table is wider than it.
  function focusScrollers() {
    document.querySelectorAll(".site-main .table-responsive").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        if (!box.hasAttribute("tabindex")) { box.setAttribute("tabindex", "0"); box.dataset.scrollFocus = ""; }
      } else if (box.dataset.scrollFocus !== undefined) {
        box.removeAttribute("tabindex");
        delete box.dataset.scrollFocus;
      }
    });
  }

  var observed = typeof WeakSet === "function" ? new WeakSet() : null;
  var observer = typeof ResizeObserver === "function" ? new ResizeObserver(function (entries) {
    entries.forEach(function (entry) {
      var chart = window.echarts && window.echarts.getInstanceByDom(entry.target);
      if (chart && !chart.isDisposed()) { chart.resize(); }
    });
  }) : null;
  function watch(el) {
    if (!observer || observed.has(el)) { return; }
    observed.add(el);
    observer.observe(el);
  }
  function watchCharts(root) { (root || document).querySelectorAll("[_echarts_instance_]").forEach(watch); }

  document.addEventListener("DOMContentLoaded", function () {
    wrapTables(document);
    focusScrollers();
    watchCharts(document);
    // ECharts marks the element of each chart it draws; whichever script draws it, and whenever.
    if (observer && typeof MutationObserver === "function") {
      new MutationObserver(function (records) {
        records.forEach(function (r) { if (r.target.hasAttribute("_echarts_instance_")) { watch(r.target); } });
      }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ["_echarts_instance_"] });
    }
  });
  document.addEventListener("htmx:afterSettle", function () { wrapTables(document); focusScrollers(); });
  window.addEventListener("resize", focusScrollers);
  // Exposed for scripts that draw a chart later (after a fetch): LiveOps.watchCharts(element).
  window.LiveOps = window.LiveOps || {};
  window.LiveOps.watchCharts = watchCharts;
})();
