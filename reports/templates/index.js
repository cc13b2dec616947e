(function () {
  "use strict";
  var table = document.getElementById("reports");
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var items = rows.map(function (row) {
    return { row: row, status: row.dataset.status, format: row.dataset.format, year: row.dataset.year,
             agency: row.dataset.agency.toLowerCase() };
  });
  var controls = {
    status: document.getElementById("f-status"),
    format: document.getElementById("f-format"),
    year: document.getElementById("f-year"),
    agency: document.getElementById("f-agency")
  };
  var collator = new Intl.Collator("zh-CN");
  var shown = document.getElementById("shown");
  var empty = document.getElementById("empty");

  function applyFilters() {
    var status = controls.status.value, format = controls.format.value, year = controls.year.value;
    var words = controls.agency.value.trim().toLowerCase();
    var count = 0;
    items.forEach(function (item) {
      var visible = (!status || item.status === status) && (!format || item.format === format) &&
        (!year || item.year === year) && (!words || item.agency.indexOf(words) !== -1);
      if (item.row.hidden === visible) { item.row.hidden = !visible; }
      if (visible) { count += 1; }
    });
    shown.textContent = "显示 " + count + " / " + items.length + " 份";
    empty.hidden = count !== 0;
  }

  function sortValue(row, column, numeric) {
    var cell = row.cells[column];
    var text = cell.hasAttribute("data-v") ? cell.getAttribute("data-v") : cell.textContent.trim();
    if (!numeric) { return text; }
    return text === "" ? -Infinity : Number(text);      // no value sorts first (ascending)
  }

  function sortBy(sorted, header) {
    var column = header.cellIndex;
    var numeric = header.querySelector("button").dataset.type === "num";
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(sorted.tHead.rows[0].cells, function (th) {
      if (th.hasAttribute("aria-sort")) { th.setAttribute("aria-sort", "none"); }
    });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var all = Array.prototype.slice.call(sorted.tBodies[0].rows);
    var keyed = all.map(function (row) { return [sortValue(row, column, numeric), order.get(row), row]; });
    keyed.sort(function (a, b) {
      var order = numeric ? (a[0] === b[0] ? 0 : (a[0] < b[0] ? -1 : 1)) : collator.compare(a[0], b[0]);
      return (ascending ? order : -order) || a[1] - b[1];
    });
    var fragment = document.createDocumentFragment();
    keyed.forEach(function (entry) { fragment.appendChild(entry[2]); });
    sorted.tBodies[0].appendChild(fragment);
  }

  var order = new Map();      // ties keep the order the page was written in
  [table].concat(Array.prototype.slice.call(document.querySelectorAll("table.sortable"))).forEach(function (sorted) {
    Array.prototype.forEach.call(sorted.tBodies[0].rows, function (row, index) { order.set(row, index); });
    sorted.tHead.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (button) { sortBy(sorted, button.closest("th")); }
    });
  });
  [controls.status, controls.format, controls.year].forEach(function (control) {
    control.addEventListener("change", applyFilters);
  });
  controls.agency.addEventListener("input", applyFilters);
  document.getElementById("f-reset").closest("form").addEventListener("reset", function () {
    window.setTimeout(applyFilters, 0);
  });
  document.querySelector("form.filters").addEventListener("submit", function (event) { event.preventDefault(); });
})();
