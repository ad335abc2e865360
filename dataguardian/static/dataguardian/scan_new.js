// The new-scan form: show only the fields of the chosen source; without JavaScript all stay visible.
(function () {
  "use strict";
  var radios = document.querySelectorAll('input[name="source"]');
  function sync() {
    var chosen = document.querySelector('input[name="source"]:checked');
    var value = chosen ? chosen.value : "upload";
    document.querySelectorAll("fieldset[data-source]").forEach(function (set) {
      set.hidden = set.dataset.source.split(" ").indexOf(value) < 0;
    });
  }
  radios.forEach(function (radio) { radio.addEventListener("change", sync); });
  sync();
})();
