// Read-aloud buttons for the answer pages: the browser's own speech synthesis, Swedish voice if there is one.
// The text is always on the page too; without JavaScript (or speech synthesis) the buttons stay hidden.
(function () {
  "use strict";
  if (!("speechSynthesis" in window) || !("SpeechSynthesisUtterance" in window)) {
    return;
  }
  function say(text) {
    window.speechSynthesis.cancel();
    var utterance = new window.SpeechSynthesisUtterance(text);
    utterance.lang = "sv-SE";
    utterance.rate = 0.9;
    window.speechSynthesis.speak(utterance);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var buttons = document.querySelectorAll("button.say[data-say]");
    for (var i = 0; i < buttons.length; i += 1) {
      var button = buttons[i];
      button.hidden = false;
      button.addEventListener("click", function (event) {
        var text = event.currentTarget.getAttribute("data-say");
        var options = document.querySelectorAll(".option span");
        var labels = [];
        for (var j = 0; j < options.length; j += 1) {
          labels.push(options[j].textContent);
        }
        say(labels.length ? text + " " + labels.join(". ") : text);
      });
    }
  });
})();
