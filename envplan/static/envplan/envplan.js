// envplan's only script, loaded from our own origin so the Content-Security-Policy needs no inline code.
// The pages work without it: each form it submits on change also has a submit button inside <noscript>.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
});
