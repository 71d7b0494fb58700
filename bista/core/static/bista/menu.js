/* The header menu (base.html). Without JavaScript every menu is open and the page works as a plain list of
   links. With it: on a narrow screen the main menu starts folded behind "Meny" (and opens again when the
   window becomes wide, where its summary is hidden); an open "Mer" or account menu closes on Escape, on a
   click outside it, and when another one opens. */
(function () {
  "use strict";
  var menu = document.querySelector("details.menu[data-fold-below]");
  if (!menu) { return; }
  var narrow = window.matchMedia("(max-width: " + menu.getAttribute("data-fold-below") + ")");
  function fit() { menu.open = !narrow.matches; }
  fit();
  narrow.addEventListener("change", fit);

  var submenus = Array.prototype.slice.call(document.querySelectorAll("details.submenu"));
  function closeOthers(except) {
    submenus.forEach(function (other) { if (other !== except) { other.open = false; } });
  }
  submenus.forEach(function (submenu) {
    submenu.addEventListener("toggle", function () { if (submenu.open) { closeOthers(submenu); } });
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest || !event.target.closest("details.submenu")) { closeOthers(null); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    submenus.forEach(function (submenu) {
      if (submenu.open) {
        submenu.open = false;
        submenu.querySelector("summary").focus();
      }
    });
  });
})();
