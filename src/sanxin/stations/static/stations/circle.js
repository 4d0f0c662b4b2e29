// The service circle's map without map tiles: the area's cells (covered or not), the stations by kind, and the
// suggested and added places as a scatter over longitude and latitude, read from the JSON of
// data-source (no inline script).
(function () {
  "use strict";
  var SYMBOLS = ["circle", "pin", "roundRect", "diamond", "arrow", "emptyCircle"];
  var COLOURS = ["#c8161d", "#7c2d12", "#0f766e", "#6d28d9", "#be185d", "#1d4ed8"];
  function draw(el) {
    var src = document.getElementById(el.getAttribute("data-source"));
    if (!src || !window.echarts) return;
    var d = JSON.parse(src.textContent);
    var covered = d.cells.filter(function (c) { return c[2]; });
    var open = d.cells.filter(function (c) { return !c[2]; });
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      grid: { left: 8, right: 8, top: 28, bottom: 8, containLabel: false },
      tooltip: { trigger: "item", formatter: function (p) { return p.data[2] && typeof p.data[2] === "string" ? p.data[2] : p.seriesName; } },
      legend: { top: 0 },
      xAxis: { type: "value", scale: true, show: false },
      yAxis: { type: "value", scale: true, show: false },
      series: d.stations.map(function (kind, i) {
        return { name: kind.name, type: "scatter", data: kind.data, symbol: SYMBOLS[i % SYMBOLS.length],
                 symbolSize: 10, itemStyle: { color: COLOURS[i % COLOURS.length] } };
      }).concat([
        { name: "未覆盖", type: "scatter", data: open, symbol: "rect", symbolSize: 6, itemStyle: { color: "#d1d5db" } },
        { name: "已覆盖", type: "scatter", data: covered, symbol: "rect", symbolSize: 6, itemStyle: { color: "#fecaca" } },
        { name: "测算新增", type: "scatter", data: d.added, symbol: "diamond", symbolSize: 13, itemStyle: { color: "#2563eb" } },
        { name: "建议新增", type: "scatter", data: d.suggested, symbol: "triangle", symbolSize: 12, itemStyle: { color: "#f59e0b" } }
      ])
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-circle-map]").forEach(draw);
  });
})();
