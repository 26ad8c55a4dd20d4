// A search box above each <select data-filterable> (the scope catalog grouped by the headings of 五):
// typing hides the options, and the groups, that do not contain the text. No inline handlers or
// styles: the CSP forbids them. Without JavaScript the grouped select works as it is.
document.querySelectorAll("select[data-filterable]").forEach(function (select) {
  var box = document.createElement("input");
  box.type = "search";
  box.placeholder = "搜索改造内容";
  box.setAttribute("aria-label", "搜索改造内容");
  box.className = "select-filter";
  select.parentNode.insertBefore(box, select);
  box.addEventListener("input", function () {
    var needle = box.value.trim().toLowerCase();
    select.querySelectorAll("optgroup").forEach(function (group) {
      var shown = 0;
      group.querySelectorAll("option").forEach(function (option) {
        var match = needle === "" || option.textContent.toLowerCase().indexOf(needle) !== -1 ||
          group.label.toLowerCase().indexOf(needle) !== -1;
        option.hidden = !match;
        if (match) { shown += 1; }
      });
      group.hidden = shown === 0;
    });
  });
});
