/*
 * Bistå – a browser copy of the journal text being written.
 *
 * The server keeps the draft (htmx posts it a second after typing stops). This script also keeps a copy of
 * the text in localStorage, one key per user and client, so that nothing is lost when the session has ended
 * and the server refused the autosave (a lost session): on the next visit the copy is put back if it is
 * newer than the server's draft, or there is none. The copy is removed after the entry has been signed or
 * the draft discarded, and copies the server already holds are removed at logout. Copies older than a week
 * are dropped. The page works fully without this script.
 */
(function () {
  "use strict";

  var PREFIX = "bista-journal-";
  var MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;

  function storage() {
    try {
      var probe = PREFIX + "probe";
      window.localStorage.setItem(probe, "1");
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch (e) {
      return null; // private mode, storage disabled or full: the server draft still works
    }
  }

  function read(store, key) {
    try {
      var value = JSON.parse(store.getItem(key) || "null");
      return value && typeof value.text === "string" ? value : null;
    } catch (e) {
      return null;
    }
  }

  function write(store, key, value) {
    try {
      store.setItem(key, JSON.stringify(value));
    } catch (e) {
      /* storage full: nothing more to do */
    }
  }

  function dropOld(store) {
    var now = Date.now();
    for (var i = store.length - 1; i >= 0; i -= 1) {
      var key = store.key(i);
      if (key && key.indexOf(PREFIX) === 0) {
        var value = read(store, key);
        if (!value || !value.savedAt || now - value.savedAt > MAX_AGE_MS) {
          store.removeItem(key);
        }
      }
    }
  }

  function say(status, message) {
    if (status) {
      status.textContent = message;
    }
  }

  function removeParams(names) {
    if (!window.history || !window.history.replaceState || !window.URL) {
      return;
    }
    var url = new URL(window.location.href);
    names.forEach(function (name) { url.searchParams.delete(name); });
    window.history.replaceState(null, "", url.pathname + url.search + url.hash);
  }

  function start() {
    var form = document.getElementById("journalformular");
    var store = storage();
    if (!form || !store) {
      return;
    }
    var key = form.getAttribute("data-autosave-key");
    var textarea = form.querySelector("textarea[name=text]");
    var status = document.getElementById("utkast-status");
    if (!key || !textarea) {
      return;
    }
    dropOld(store);

    if (form.hasAttribute("data-autosave-clear")) {
      // The entry was signed (or the draft discarded): the copy has done its job.
      store.removeItem(key);
      removeParams(["signerad", "kastat"]);
    } else {
      var copy = read(store, key);
      var serverDraft = parseInt(form.getAttribute("data-server-draft") || "", 10);
      var newer = copy && copy.text.trim() !== "" && copy.text !== textarea.value &&
        (isNaN(serverDraft) || copy.savedAt > serverDraft);
      if (newer && !copy.synced) {
        textarea.value = copy.text;
        say(status, "Text som bara fanns sparad i den här webbläsaren har återställts (" +
          new Date(copy.savedAt).toLocaleString("sv-SE") + "). Kontrollera den innan du signerar.");
      }
    }

    textarea.addEventListener("input", function () {
      write(store, key, { text: textarea.value, savedAt: Date.now(), synced: false });
    });

    // htmx autosave: a fragment from the draft view means the server holds the text; anything else (the
    // login page after the session ended) is not shown, and the copy stays in the browser.
    textarea.addEventListener("htmx:beforeSwap", function (event) {
      var xhr = event.detail && event.detail.xhr;
      var answer = xhr ? xhr.getResponseHeader("X-Bista-Draft") : null;
      if (answer === "saved") {
        var copy = read(store, key);
        if (copy && copy.text === textarea.value) {
          copy.synced = true;
          write(store, key, copy);
        }
      } else if (answer !== "refused") {
        event.detail.shouldSwap = false;
        say(status, "Utkastet kunde inte sparas på servern (du kan ha blivit utloggad). " +
          "Texten finns kvar i den här webbläsaren.");
      }
    });
    // An error status (403 when the session and its CSRF cookie are gone, 5xx) is never swapped in; say so.
    textarea.addEventListener("htmx:responseError", function (event) {
      var xhr = event.detail && event.detail.xhr;
      if (!xhr || xhr.getResponseHeader("X-Bista-Draft") !== "refused") {
        say(status, "Utkastet kunde inte sparas på servern (du kan ha blivit utloggad). " +
          "Texten finns kvar i den här webbläsaren.");
      }
    });
    textarea.addEventListener("htmx:sendError", function () {
      say(status, "Ingen kontakt med servern. Texten finns kvar i den här webbläsaren.");
    });

    // At logout, drop the copies the server already holds: the browser may be shared.
    var logout = document.querySelector("form.logout");
    if (logout) {
      logout.addEventListener("submit", function () {
        for (var i = store.length - 1; i >= 0; i -= 1) {
          var k = store.key(i);
          var value = k && k.indexOf(PREFIX) === 0 ? read(store, k) : null;
          if (value && value.synced) {
            store.removeItem(k);
          }
        }
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
