/* Assessment form: say what is wrong with a value as it is typed (the server checks the same ranges on save). */
(function () {
  "use strict";
  var form = document.getElementById("assessment-form");
  if (!form) { return; }
  function check(input) {
    var live = document.getElementById(input.id + "_live");
    if (!live || typeof input.checkValidity !== "function") { return; }
    if (input.value !== "" && !input.checkValidity()) {
      var msg = input.validationMessage;
      if (input.validity.rangeUnderflow || input.validity.rangeOverflow) {
        msg = "Enter a value from " + input.min + " to " + input.max + ".";
      }
      live.textContent = msg;
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", live.id);
    } else {
      live.textContent = "";
      input.removeAttribute("aria-invalid");
    }
  }
  form.addEventListener("input", function (event) {
    if (event.target.matches("input[type=number], input[type=date]")) { check(event.target); }
  });
  form.querySelectorAll("input[type=number]").forEach(check);
  // A reason is only asked for when a test was not done: hide the reason box otherwise, which also takes it out of
  // the tab order (hidden elements are not focusable), so the keyboard goes from value to value.
  function syncReason(select) {
    var reason = document.getElementById(select.id.replace(/_status$/, "_reason"));
    if (!reason) { return; }
    var cell = reason.closest(".cell");
    var idle = select.value === "tested" && reason.value === "";
    cell.classList.toggle("idle", idle);
  }
  form.querySelectorAll("select.status").forEach(function (select) {
    syncReason(select);
    select.addEventListener("change", function () { syncReason(select); });
  });
  // Ctrl+S / Cmd+S saves the draft at once (the autosave would too, a moment later).
  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && event.key === "s") {
      event.preventDefault();
      var save = form.querySelector("button[value=save]");
      if (save) { save.click(); }
    }
  });
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
