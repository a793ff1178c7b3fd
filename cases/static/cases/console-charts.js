// The console's chart panel (ECharts, served locally): open cases by state, by matter (top
// 10), overdue assignments by department. The numbers come pre-aggregated in the page.
(function () {
  "use strict";
  var source = document.getElementById("console-stats");
  if (!source || typeof echarts === "undefined") return;
  var stats = JSON.parse(source.textContent);
  var charts = [];

  function bar(id, rows, color) {
    var el = document.getElementById(id);
    if (!el) return;
    var chart = echarts.init(el, null, { renderer: "canvas" });
    var names = rows.map(function (r) { return r.name; }).reverse();
    var values = rows.map(function (r) { return r.n; }).reverse();
    chart.setOption({
      title: { text: el.dataset.title, textStyle: { fontSize: 13 }, left: 8, top: 4 },
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
      // richText: the tooltip is drawn on the canvas like the labels, so a department or
      // matter name is text (never parsed as HTML) and no style attribute is written (R22.1).
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, renderMode: "richText" },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: names, axisLabel: { width: 120, overflow: "truncate" } },
      series: [{ type: "bar", data: values, itemStyle: { color: color }, label: { show: true, position: "right" } }],
      graphic: rows.length ? [] : [{ type: "text", left: "center", top: "middle", style: { text: "—", fontSize: 14, fill: "#5b6775" } }],
    });
    charts.push(chart);
  }

  bar("chart-state", stats.by_state, "#0b5cad");
  bar("chart-matter", stats.by_matter, "#1a7f37");
  bar("chart-overdue", stats.overdue_by_department, "#c62828");
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
