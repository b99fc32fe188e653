/*
 * Client-side sorting for tables marked `data-sortable` (or `data-sortable="page"` when the
 * table shows one page or the most recent rows only: the header then says so in its title).
 *
 * A header with text becomes a button; clicking it sorts the first tbody ascending, clicking
 * again descending, and the header carries aria-sort. A column whose filled cells are all
 * numbers ("¥1,234.56", "-¥5.00", "12,000", "12.5%") sorts numerically; all dates
 * ("2026-11-22", "2026-11-22 10:00", "2026-10") chronologically; anything else as Chinese
 * text (localeCompare 'zh-CN', digits compared as numbers). Empty cells ("", "—") stay last.
 * A cell's `data-sort-value` overrides its text; a header with `data-sort="none"` is left alone.
 * Served from /static under the CSP's script-src 'self': no inline script, no inline style.
 */
(function () {
  "use strict";

  var NUMBER = /^[-−]?[¥￥]?[-−]?\d[\d,]*(\.\d+)?%?$/;
  var DATE = /^(\d{4})-(\d{2})(?:-(\d{2}))?(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/;
  var EMPTY = { "": true, "—": true, "-": true, "–": true };

  function cellText(row, index) {
    var cell = row.cells[index];
    if (!cell) { return ""; }
    var value = cell.getAttribute("data-sort-value");
    return (value !== null ? value : cell.textContent).replace(/\s+/g, " ").trim();
  }

  function toNumber(text) {
    var negative = /^[-−]/.test(text) || /^[¥￥][-−]/.test(text);
    var digits = text.replace(/[-−¥￥,%]/g, "");
    var n = parseFloat(digits);
    return negative ? -n : n;
  }

  function toTime(text) {
    var m = DATE.exec(text);
    return Date.UTC(+m[1], +m[2] - 1, +(m[3] || 1), +(m[4] || 0), +(m[5] || 0), +(m[6] || 0));
  }

  function columnKind(values) {
    var filled = values.filter(function (v) { return !EMPTY[v]; });
    if (filled.length === 0) { return "text"; }
    if (filled.every(function (v) { return NUMBER.test(v); })) { return "number"; }
    if (filled.every(function (v) { return DATE.test(v); })) { return "date"; }
    return "text";
  }

  function compareText(a, b) {
    return a.localeCompare(b, "zh-CN", { numeric: true, sensitivity: "base" });
  }

  function isPlaceholder(row, width) {
    return row.cells.length === 1 && row.cells[0].colSpan > 1 && width > 1;
  }

  function sortBy(table, headers, th, index) {
    var body = table.tBodies[0];
    if (!body) { return; }
    var descending = th.getAttribute("aria-sort") === "ascending";
    var all = Array.prototype.slice.call(body.rows);
    var rows = all.filter(function (r) { return !isPlaceholder(r, headers.length); });
    var rest = all.filter(function (r) { return isPlaceholder(r, headers.length); });
    var values = rows.map(function (r) { return cellText(r, index); });
    var kind = columnKind(values);
    var keyed = rows.map(function (row, i) {
      var text = values[i];
      var key = EMPTY[text] ? null : kind === "number" ? toNumber(text) : kind === "date" ? toTime(text) : text;
      return { row: row, key: key, i: i };
    });
    keyed.sort(function (x, y) {
      if (x.key === null || y.key === null) {
        return x.key === y.key ? x.i - y.i : x.key === null ? 1 : -1;  // empties last, either way
      }
      var c = kind === "text" ? compareText(x.key, y.key) : x.key - y.key;
      return (descending ? -c : c) || x.i - y.i;
    });
    keyed.forEach(function (k) { body.appendChild(k.row); });
    rest.forEach(function (r) { body.appendChild(r); });
    headers.forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", descending ? "descending" : "ascending");
    table.setAttribute("data-sorted", index + ":" + (descending ? "desc" : "asc"));
  }

  function enable(table, notes) {
    var head = table.tHead;
    if (!head || !head.rows.length) { return; }
    var headers = Array.prototype.slice.call(head.rows[head.rows.length - 1].cells);
    var paged = table.getAttribute("data-sortable") === "page";
    headers.forEach(function (th, index) {
      if (th.getAttribute("data-sort") === "none" || !th.textContent.trim() || th.colSpan > 1) { return; }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (th.firstChild) { button.appendChild(th.firstChild); }
      th.appendChild(button);
      th.classList.add("sortable");
      th.title = paged ? notes.page : notes.hint;
      button.addEventListener("click", function () { sortBy(table, headers, th, index); });
    });
  }

  function init() {
    var body = document.body;
    var notes = {
      hint: body.getAttribute("data-sort-hint") || "Click to sort",
      page: body.getAttribute("data-sort-page-note") || "Sorts the rows on this page only",
    };
    Array.prototype.forEach.call(document.querySelectorAll("table[data-sortable]"), function (t) {
      enable(t, notes);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());
