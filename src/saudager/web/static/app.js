// Saudager pages: charts from JSON blocks, sortable and searchable tables, forms sent by
// script with the CSRF token, and progress of long jobs. No inline scripts anywhere.
"use strict";

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

// fetch() with the session's CSRF token on anything but GET.
function send(url, options) {
  const opts = Object.assign({ credentials: "same-origin", headers: {} }, options || {});
  if ((opts.method || "GET").toUpperCase() !== "GET") opts.headers["X-CSRF-Token"] = csrfToken();
  return fetch(url, opts);
}
window.saudager = { send: send };

// <div class="chart" data-chart="ID"> draws the Plotly figure {data, layout} in <script id="ID" type="application/json">.
function drawCharts() {
  if (!window.Plotly) return;
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    const source = document.getElementById(el.dataset.chart);
    if (!source) return;
    const figure = JSON.parse(source.textContent);
    const layout = Object.assign({ margin: { l: 50, r: 10, t: 30, b: 40 }, autosize: true,
      legend: { orientation: "h" }, separators: document.documentElement.lang === "en" ? ". " : ", " },
      figure.layout || {});
    window.Plotly.newPlot(el, figure.data, layout, { responsive: true, displaylogo: false });
    el.dataset.drawn = "1";
  });
}

// <th data-sort="num|text"> sorts its table's body by that column; cells may carry data-value.
function cellValue(row, index, kind) {
  const cell = row.children[index];
  if (!cell) return kind === "num" ? -Infinity : "";
  const raw = cell.dataset.value !== undefined ? cell.dataset.value : cell.textContent.trim();
  if (kind === "num") { const n = parseFloat(raw); return isNaN(n) ? -Infinity : n; }
  return raw.toLowerCase();
}
function makeSortable(table) {
  table.querySelectorAll("th[data-sort]").forEach(function (th) {
    th.tabIndex = 0;
    const sort = function () {
      const index = Array.prototype.indexOf.call(th.parentNode.children, th);
      const ascending = th.getAttribute("aria-sort") !== "ascending";
      table.querySelectorAll("th[aria-sort]").forEach(function (o) { o.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      const body = table.tBodies[0];
      const rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        const x = cellValue(a, index, th.dataset.sort), y = cellValue(b, index, th.dataset.sort);
        return (x < y ? -1 : x > y ? 1 : 0) * (ascending ? 1 : -1);
      });
      rows.forEach(function (r) { body.appendChild(r); });
    };
    th.addEventListener("click", sort);
    th.addEventListener("keydown", function (e) { if (e.key === "Enter") sort(); });
  });
}

// <input data-filter="TABLE_ID"> hides the rows of that table not containing the text.
function makeFilters() {
  document.querySelectorAll("input[data-filter]").forEach(function (input) {
    const table = document.getElementById(input.dataset.filter);
    if (!table) return;
    input.addEventListener("input", function () {
      const needle = input.value.trim().toLowerCase();
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        row.hidden = needle !== "" && row.textContent.toLowerCase().indexOf(needle) < 0;
      });
    });
  });
}

// <div data-progress-url="/api/v1/…/jobs/ID"> polls a job: {state, done, total, message, errors}.
function followProgress(box) {
  const bar = box.querySelector(".progress > div");
  const text = box.querySelector("[data-progress-text]");
  const tick = function () {
    send(box.dataset.progressUrl).then(function (r) { return r.json(); }).then(function (job) {
      const share = job.total ? Math.min(1, job.done / job.total) : (job.state === "succeeded" ? 1 : 0);
      if (bar) bar.style.width = (share * 100).toFixed(1) + "%";
      if (text) text.textContent = job.message || job.state;
      box.dataset.state = job.state;
      if (job.state === "queued" || job.state === "running") setTimeout(tick, 700);
      else if (box.dataset.doneUrl) window.location.assign(box.dataset.doneUrl);
    }).catch(function () { setTimeout(tick, 2000); });
  };
  tick();
}

document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("select[data-autosubmit]").forEach(function (s) {
    s.addEventListener("change", function () { s.form.submit(); });
  });
  document.querySelectorAll("table").forEach(makeSortable);
  makeFilters();
  document.querySelectorAll("[data-progress-url]").forEach(followProgress);
  drawCharts();
});
