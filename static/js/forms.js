/* Forms on every page: after a failed submit, the error summary takes the focus (so a screen reader reads it and the
   keyboard starts there) and the page title starts with "Error:"; the same for a form that htmx swaps in. */
(function () {
  "use strict";

  function showSummary(root, retitle) {
    var summary = root.querySelector && root.querySelector(".error-summary");
    if (!summary) return;
    var prefix = summary.dataset.titlePrefix || "Error:";
    if (retitle && document.title.indexOf(prefix) !== 0) document.title = prefix + " " + document.title;
    summary.focus();
  }

  showSummary(document, true);
  document.addEventListener("htmx:afterSettle", function (event) { showSummary(event.detail.elt || event.target, false); });

  // The summary's links move to the field itself (not just scroll), as a browser would for a label.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".error-summary a[href^='#']");
    if (!link) return;
    var id = link.getAttribute("href").slice(1);
    var form = link.closest("form") || document;
    // A choice drawn as radios (or a search box that fills them) has no element with the field's id: its first control.
    var field = document.getElementById(id) ||
      form.querySelector('[name="' + id.replace(/^id_/, "") + '"], .has-error input, .has-error select, .has-error textarea');
    if (!field) return;
    event.preventDefault();
    field.focus();
  });
})();
