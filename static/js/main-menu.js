// The header's menus are <details> dropdowns (templates/ui/_main_menu.html): they open and close by click,
// Enter or Space without any script. This file only adds what a desk user expects of a menu: opening one
// closes the others (browsers without <details name>), a click elsewhere closes it, and Escape closes it
// and returns the focus to its title. No inline handlers: the Content-Security-Policy forbids them.
(function () {
  function menus() { return document.querySelectorAll("details[data-menu]"); }

  document.addEventListener("toggle", function (event) {
    var opened = event.target;
    if (!opened.matches || !opened.matches("details[data-menu]") || !opened.open) return;
    menus().forEach(function (other) { if (other !== opened && other.open) other.open = false; });
  }, true);

  document.addEventListener("click", function (event) {
    menus().forEach(function (menu) { if (menu.open && !menu.contains(event.target)) menu.open = false; });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var menu = document.activeElement && document.activeElement.closest
      ? document.activeElement.closest("details[data-menu][open]") : null;
    if (!menu) menu = document.querySelector("details[data-menu][open]");
    if (!menu) return;
    menu.open = false;
    menu.querySelector("summary").focus();
  });
})();
