/* Record pickers: a text input per record with a <datalist> filled from /lookup/<kind>/ as
   the user types (debounced, at most 15 suggestions). Without this script the inputs still
   work: a key, "Name — key" or a name only one record carries is accepted by the server. */
(function () {
  "use strict";
  var DELAY = 180;
  var cache = {};

  function fill(list, results) {
    var options = document.createDocumentFragment();
    results.forEach(function (result) {
      var option = document.createElement("option");
      option.value = result.value;
      option.label = result.label;
      option.textContent = result.label;
      options.appendChild(option);
    });
    list.replaceChildren(options);
  }

  function lookupUrl(input, text) {
    var url = new URL(input.dataset.lookup, window.location.href);
    url.searchParams.set("q", text);
    return url.toString();
  }

  function attach(input) {
    if (input.dataset.pickerReady) return;
    input.dataset.pickerReady = "1";
    var timer = null;
    var controller = null;
    input.addEventListener("input", function (event) {
      var list = document.getElementById(input.getAttribute("list"));
      if (!list) return;
      var text = input.value.trim();
      // A suggestion just picked ("Name — key"): nothing more to look up.
      if (event.inputType === "insertReplacementText" || event.inputType === undefined ||
          text.indexOf("\u2014") !== -1) {
        grow(input);
        return;
      }
      window.clearTimeout(timer);
      if (!text) { fill(list, []); return; }
      timer = window.setTimeout(function () {
        var url = lookupUrl(input, text);
        if (cache[url]) { fill(list, cache[url]); return; }
        if (controller) controller.abort();
        controller = new AbortController();
        fetch(url, {credentials: "same-origin", signal: controller.signal,
                    headers: {"Accept": "application/json"}})
          .then(function (response) { return response.ok ? response.json() : {results: []}; })
          .then(function (data) {
            cache[url] = data.results || [];
            if (input.value.trim() === text) fill(list, cache[url]);
          })
          .catch(function () { /* aborted or offline: the typed text still validates */ });
      }, DELAY);
      grow(input);
    });
  }

  /* Several records: there is always one empty input at the end of the list. */
  function grow(input) {
    var list = input.closest("[data-picker-list]");
    if (!list) return;
    var inputs = list.querySelectorAll("input.picker");
    var last = inputs[inputs.length - 1];
    if (last.value.trim() === "") return;
    var item = document.createElement("li");
    var blank = last.cloneNode(false);
    blank.value = "";
    blank.removeAttribute("required");
    blank.removeAttribute("data-picker-ready");
    blank.id = (inputs[0].id || last.name) + "_" + inputs.length;
    item.appendChild(blank);
    list.appendChild(item);
    attach(blank);
  }

  function start(root) {
    root.querySelectorAll("input.picker[data-lookup]").forEach(attach);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { start(document); });
  } else {
    start(document);
  }
  document.addEventListener("htmx:afterSwap", function (event) { start(event.target); });
})();
