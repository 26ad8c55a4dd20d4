// Progressive enhancement of the compound picker (templates/projects/compound_pick_form.html): typing in
// the search box narrows the rows already on the page at once; 搜索 still asks the server for more.
// Ticked rows always stay visible. No inline handlers or styles: the CSP forbids them.
document.addEventListener("input", function (event) {
  var box = event.target.closest("[data-picker-filter]");
  if (!box) { return; }
  var table = document.getElementById(box.getAttribute("data-picker-filter"));
  if (!table) { return; }
  var needle = box.value.trim().toLowerCase();
  table.querySelectorAll("tbody tr").forEach(function (row) {
    var ticked = row.querySelector("input:checked");
    row.hidden = !ticked && needle !== "" && row.textContent.toLowerCase().indexOf(needle) === -1;
  });
});
