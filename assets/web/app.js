// rectify's only script of its own, beside htmx: shows an upload's progress. Every page
// works without it (forms post normally); it only adds feedback.
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
})();
