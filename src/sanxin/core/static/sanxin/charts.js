// Charts without inline scripts: an element [data-chart="line"] reads its data from the JSON
// <script type="application/json" id="..."> named by data-source, and ECharts draws it: {x: [...],
// series: [{name, data, type ("line" or "bar"), step, dashed, area}]}.
(function () {
  "use strict";
  function draw(el) {
    var src = document.getElementById(el.getAttribute("data-source"));
    if (!src || !window.echarts) return;
    var data = JSON.parse(src.textContent);
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      grid: { left: 40, right: 16, top: 24, bottom: 32 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: data.x, axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", minInterval: 1 },
      series: (data.series || []).map(function (s) {
        return { name: s.name, type: s.type || "line", data: s.data, showSymbol: false, step: s.step || false,
                 lineStyle: s.dashed ? { type: "dashed" } : undefined, areaStyle: s.area ? {} : undefined };
      }),
      color: ["#c8161d", "#9ca3af"],
      legend: { top: 0 }
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-chart]").forEach(draw);
  });
})();
