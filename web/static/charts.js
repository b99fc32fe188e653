/*
 * Draws every chart of a page with Apache ECharts (vendored in static/vendor/echarts).
 * Each chart is a <script type="application/json" data-chart-data=KEY> island written by the
 * server (core/charts.py) next to a <div data-chart=KEY> and the table of the same figures; the
 * table is the view without JavaScript. Values arrive as decimal strings in display units
 * (yuan, per cent, whole units); numbers on axes and in tooltips use the page's locale
 * (zh-CN: 1.2万, 3.4亿). Served from /static under the CSP's script-src 'self': no inline script.
 */
(function () {
  "use strict";
  var lang = document.documentElement.lang || "zh-CN";
  var exact = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });
  var money = new Intl.NumberFormat(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  var compact = new Intl.NumberFormat(lang, { notation: "compact", maximumFractionDigits: 1 });

  function axisLabel(fmt) {
    return function (value) {
      if (fmt === "pct") { return exact.format(value) + "%"; }
      var text = Math.abs(value) >= 10000 ? compact.format(value) : exact.format(value);
      return fmt === "yuan" ? "¥" + text : text;
    };
  }

  function tooltipValue(fmt, value) {
    if (value === null || value === undefined || value === "-") { return "—"; }
    if (fmt === "pct") { return exact.format(value) + "%"; }
    if (fmt === "yuan") { return "¥" + money.format(value); }
    return exact.format(value);
  }

  var PALETTE = ["#0b5cad", "#1f2d3d", "#e08a00", "#2e7d32", "#8e44ad", "#c0392b"];

  function option(data, width) {
    var narrow = width < 560;
    var fmts = [];   // one value axis per format, in order of first use
    data.series.forEach(function (s) { if (fmts.indexOf(s.fmt) < 0) { fmts.push(s.fmt); } });
    var units = fmts.map(function (f) {
      var s = data.series.filter(function (x) { return x.fmt === f; })[0];
      return s.unit;
    });
    var valueAxes = fmts.map(function (f, i) {
      return { type: "value", name: units[i], position: i === 0 ? (data.horizontal ? "bottom" : "left") : (data.horizontal ? "top" : "right"),
               splitNumber: narrow ? 3 : 5, nameTextStyle: { align: "right" },
               axisLabel: { formatter: axisLabel(f), hideOverlap: true }, splitLine: { show: i === 0 } };
    });
    // the category axis is named by the table's first column; on the chart its labels say enough
    var categoryAxis = { type: "category", data: data.categories, inverse: !!data.horizontal,
                         axisLabel: { width: data.horizontal ? Math.round(Math.min(200, width * 0.38)) : 90, overflow: "truncate",
                                      interval: 0, rotate: data.horizontal ? 0 : (data.categories.length > 6 ? 30 : 0) } };
    var series = data.series.map(function (s) {
      var axis = fmts.indexOf(s.fmt);
      var out = { name: s.name + (s.unit ? " (" + s.unit + ")" : ""), type: s.kind,
                  data: s.values.map(function (v) { return v === null ? "-" : Number(v); }), barMaxWidth: 28,
                  tooltip: { valueFormatter: function (v) { return tooltipValue(s.fmt, v); } } };
      out[data.horizontal ? "xAxisIndex" : "yAxisIndex"] = axis;
      // a target across horizontal bars is a mark on each bar, not a line between them
      if (s.kind === "line" && data.horizontal) { out.type = "scatter"; out.symbol = "rect"; out.symbolSize = [3, 20]; out.z = 3; }
      return out;
    });
    return {
      animation: false,
      color: PALETTE,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true },
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 16, top: 48, bottom: 8, containLabel: true },
      xAxis: data.horizontal ? valueAxes : categoryAxis,
      yAxis: data.horizontal ? categoryAxis : valueAxes,
      series: series
    };
  }

  function draw() {
    if (!window.echarts) { return; }   // the table stays: nothing is lost without the library
    var islands = document.querySelectorAll("script[data-chart-data]");
    Array.prototype.forEach.call(islands, function (island) {
      var key = island.getAttribute("data-chart-data");
      var box = island.parentNode;
      var target = box.querySelector("[data-chart='" + key + "']");
      var data;
      try { data = JSON.parse(island.textContent); } catch (e) { return; }
      if (!target || !data.categories.length) { return; }
      target.hidden = false;
      var rows = data.categories.length;
      target.style.height = (data.horizontal ? Math.max(260, 70 + 30 * rows) : 320) + "px";
      var chart = window.echarts.init(target, null, { renderer: "canvas", locale: lang.indexOf("zh") === 0 ? "ZH" : "EN" });
      chart.setOption(option(data, target.clientWidth));
      target.setAttribute("data-drawn", "true");
      window.addEventListener("resize", function () {
        chart.setOption(option(data, target.clientWidth)); chart.resize();
      });
      var table = box.querySelector("[data-chart-table='" + key + "']");
      if (table) { table.open = false; }
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
