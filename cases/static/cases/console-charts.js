// The console's chart panel (ECharts, served locally): open cases by state, by matter (top
// 10), overdue assignments by department. The numbers come pre-aggregated in the page, and
// again with the list after an action changed cases (a bulk action, R27.1 at a glance).
(function () {
  "use strict";
  if (!document.getElementById("console-stats") || typeof echarts === "undefined") return;
  var charts = {};
  var shown = "";

  function bar(id, rows, color) {
    var el = document.getElementById(id);
    if (!el) return;
    // SVG: the labels are text in the page (readable, findable), drawn by the CSSOM only.
    el.style.height = Math.max(260, 48 + rows.length * 22) + "px"; // room for every name
    var chart = charts[id] || (charts[id] = echarts.init(el, null, { renderer: "svg" }));
    chart.resize();
    var names = rows.map(function (r) { return r.name; }).reverse();
    var values = rows.map(function (r) { return r.n; }).reverse();
    chart.setOption({
      title: { text: el.dataset.title, textStyle: { fontSize: 13 }, left: 8, top: 4 },
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
      // richText: the tooltip is drawn like the labels, so a department or matter name is
      // text (never parsed as HTML) and no style attribute is written (R22.1).
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, renderMode: "richText" },
      xAxis: { type: "value", minInterval: 1 },
      // interval 0: every bar keeps its name (ECharts would otherwise drop every other one
      // when they crowd; the chart's height follows the number of bars instead).
      yAxis: { type: "category", data: names, axisLabel: { width: 120, overflow: "truncate", interval: 0 } },
      series: [{ type: "bar", data: values, itemStyle: { color: color }, label: { show: true, position: "right" } }],
      graphic: rows.length ? [] : [{ type: "text", left: "center", top: "middle", style: { text: "—", fontSize: 14, fill: "#5b6775" } }],
    }, { replaceMerge: ["graphic"] });
    el.dataset.bars = String(rows.length);
  }

  function draw() {
    var source = document.getElementById("console-stats");
    if (!source || source.textContent === shown) return;
    shown = source.textContent;
    var stats = JSON.parse(shown);
    bar("chart-state", stats.by_state, "#0b5cad");
    bar("chart-matter", stats.by_matter, "#1a7f37");
    bar("chart-overdue", stats.overdue_by_department, "#c62828");
  }

  draw();
  // The list came back after an action: it carries fresh numbers (an out-of-band swap).
  document.body.addEventListener("htmx:afterSettle", draw);
  window.addEventListener("resize", function () { Object.keys(charts).forEach(function (k) { charts[k].resize(); }); });
})();
