// rectify's only script of its own, beside htmx. Every page works without it (forms post
// normally); it only adds: an upload's progress, the report review's "select text in the
// report to add it as an item", and the assignment pickers' search by name.
(function () {
  "use strict";
  document.addEventListener("htmx:xhr:progress", function (event) {
    var form = event.target.closest && event.target.closest("form");
    var bar = form && form.querySelector("progress");
    if (bar && event.detail.lengthComputable) {
      bar.hidden = false;
      bar.max = event.detail.total;
      bar.value = event.detail.loaded;
    }
  });

  // The review page: text selected in the report fills the "add an item" fields, with
  // where it starts (in UTF-16 units from the report's start: the server finds the bytes).
  function takeSelection() {
    var source = document.getElementById("source");
    var text = document.getElementById("add_text");
    var at = document.getElementById("add_at");
    if (!source || !text || !at) return;
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return;
    var range = selection.getRangeAt(0);
    if (!source.contains(range.commonAncestorContainer)) return;
    var chosen = range.toString().trim();
    if (!chosen) return;
    var before = document.createRange();
    before.selectNodeContents(source);
    before.setEnd(range.startContainer, range.startOffset);
    var lead = range.toString().length - range.toString().replace(/^\s+/, "").length;
    text.value = chosen;
    at.value = String(before.toString().length + lead);
  }
  document.addEventListener("mouseup", takeSelection);
  document.addEventListener("keyup", takeSelection);
  document.addEventListener("touchend", takeSelection);

  // Pickers: a search box narrows the options of its select to the names containing it.
  document.addEventListener("input", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("input[data-filter]")) return;
    var select = document.getElementById(box.getAttribute("data-filter"));
    if (!select) return;
    var needle = box.value.trim();
    var first = null;
    Array.prototype.forEach.call(select.options, function (option) {
      var keep = !option.value || option.text.indexOf(needle) !== -1;
      option.hidden = !keep;
      if (keep && option.value && first === null) first = option;
    });
    // A single choice follows the search: the first name that matches is chosen, unless
    // the one chosen already matches.
    var current = select.selectedOptions.length ? select.selectedOptions[0] : null;
    if (!select.multiple && needle && first && (!current || !current.value || current.hidden)) {
      first.selected = true;
    }
  });
})();
