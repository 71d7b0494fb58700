/* Searchable pickers (core.pickers): turns each .picker's text field into an ARIA 1.2 combobox whose listbox
   is filled from the picker's JSON search (same access rules as the form). Without this script the form
   still works: the typed text is searched on submit. No dependencies. */
(function () {
  "use strict";
  var DELAY = 200; // ms after the last keystroke before searching
  var MIN_LENGTH = 2;

  function setUp(root, index) {
    var input = root.querySelector('input[type="text"]');
    var value = root.querySelector("[data-picker-value]");
    var url = root.getAttribute("data-picker-url");
    if (!input || !value || !url) return;
    var listId = (input.id || "picker" + index) + "_lista";
    var list = document.createElement("ul");
    list.id = listId;
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Träffar");
    list.className = "picker-list";
    list.hidden = true;
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("afterend", list);
    root.appendChild(status);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    var chosenLabel = input.value;
    var active = -1;
    var timer = null;
    var asked = 0;

    function options() {
      return list.querySelectorAll('[role="option"]');
    }
    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function highlight(index) {
      var all = options();
      if (!all.length) return;
      active = (index + all.length) % all.length;
      for (var i = 0; i < all.length; i++) all[i].setAttribute("aria-selected", i === active ? "true" : "false");
      input.setAttribute("aria-activedescendant", all[active].id);
      all[active].scrollIntoView({ block: "nearest" });
    }
    function choose(option) {
      value.value = option.getAttribute("data-id");
      input.value = chosenLabel = option.textContent;
      var matches = root.querySelector("[data-picker-matches]");
      if (matches) matches.remove(); // the no-script choice is made
      close();
      status.textContent = option.textContent + " vald.";
    }
    function show(results) {
      list.textContent = "";
      results.forEach(function (result, i) {
        var item = document.createElement("li");
        item.id = listId + "_" + i;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.setAttribute("data-id", result.id);
        item.textContent = result.label;
        item.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep focus in the field
          choose(item);
        });
        list.appendChild(item);
      });
      list.hidden = results.length === 0;
      input.setAttribute("aria-expanded", results.length ? "true" : "false");
      status.textContent = results.length ? results.length + (results.length === 1 ? " träff" : " träffar") : "Inga träffar";
      active = -1;
    }
    function search() {
      var text = input.value.trim();
      if (text.length < MIN_LENGTH) {
        close();
        return;
      }
      var ticket = ++asked;
      var separator = url.indexOf("?") === -1 ? "?" : "&";
      fetch(url + separator + "q=" + encodeURIComponent(text), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) {
          return response.ok ? response.json() : { results: [] };
        })
        .then(function (data) {
          if (ticket === asked) show(data.results || []);
        })
        .catch(function () {
          close(); // the form still searches on submit
        });
    }

    input.addEventListener("input", function () {
      if (input.value !== chosenLabel) value.value = ""; // typing anew: the server searches what is typed
      clearTimeout(timer);
      timer = setTimeout(search, DELAY);
    });
    input.addEventListener("keydown", function (event) {
      var open = !list.hidden;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!open) search();
        else highlight(active + 1);
      } else if (event.key === "ArrowUp" && open) {
        event.preventDefault();
        highlight(active - 1);
      } else if (event.key === "Enter" && open && active >= 0) {
        event.preventDefault();
        choose(options()[active]);
      } else if (event.key === "Escape" && open) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", close);
  }

  function start() {
    var roots = document.querySelectorAll(".picker[data-picker-url]");
    for (var i = 0; i < roots.length; i++) setUp(roots[i], i);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
