/* Progress bars of the report list and of 我的导出: every row with data-status-url polls its run's status
   (projects.reports.views.report_status) until it is done or failed, then the page reloads to show
   the download link. Served by the app itself; no CDN, no library. */
(function () {
  "use strict";
  var rows = document.querySelectorAll("tr.report-run[data-status-url]");
  var pending = rows.length;
  if (!pending) { return; }
  function finished() {
    pending -= 1;
    if (pending === 0) { window.location.reload(); }
  }
  function poll(row) {
    fetch(row.dataset.statusUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.json(); })
      .then(function (status) {
        var bar = row.querySelector(".report-progress");
        var text = row.querySelector(".report-progress-text");
        var label = row.querySelector(".report-state");
        if (bar) { bar.value = status.progress; }
        if (text) { text.textContent = status.progress + "%"; }
        if (label) { label.textContent = status.state_label; }
        var stale = row.querySelector(".report-stale");
        if (status.stale_note && !stale && label) {
          stale = document.createElement("div");
          stale.className = "error report-stale";
          label.parentNode.appendChild(stale);
        }
        if (stale) { stale.textContent = status.stale_note || ""; }
        if (status.busy) { setTimeout(function () { poll(row); }, 1500); } else { finished(); }
      })
      .catch(function () { setTimeout(function () { poll(row); }, 5000); });
  }
  Array.prototype.forEach.call(rows, function (row) { setTimeout(function () { poll(row); }, 1000); });
})();
