/* Front-desk calendar: side panels through htmx, drag and drop to move, the current-time line, print buttons.
   Everything here is an enhancement: without JavaScript the links and forms work as full pages. */
(function () {
  "use strict";

  var side = document.getElementById("cal-side");
  var statusLine = document.getElementById("cal-status");

  if (window.htmx) {
    // Show the server's 400/403/409 answers (the panel with its message) instead of dropping them.
    htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "40[039]", swap: true, error: false },
      { code: "...", swap: false, error: true },
    ];
  }

  // Translated strings come from data attributes on the side panel.
  function text(name, fallback) {
    return (side && side.dataset[name]) || fallback;
  }

  function say(message) {
    if (statusLine) statusLine.textContent = message;
  }

  // Free times and appointments open in the side panel.
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a.cal-slot, a.cal-appt");
    if (!link || !side || !window.htmx || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    htmx.ajax("GET", link.getAttribute("href"), { target: "#cal-side", swap: "innerHTML" }).then(function () {
      var first = side.querySelector("#patient-q, h2");
      if (first) {
        if (first.tagName === "H2") first.setAttribute("tabindex", "-1");
        first.focus();
      }
    });
  });

  // Date picker and practitioner choice apply at once.
  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    form.addEventListener("change", function () { form.requestSubmit(); });
  });

  // Print buttons on the day list.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function (event) { event.preventDefault(); window.print(); });
  });

  // Drag an appointment onto a free time (any practitioner's column) to move it.
  var dragged = null;
  document.addEventListener("dragstart", function (event) {
    var appt = event.target.closest && event.target.closest(".cal-appt[data-move-url]");
    if (!appt) return;
    dragged = appt;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", appt.id);
  });
  document.addEventListener("dragend", function () {
    dragged = null;
    document.querySelectorAll(".drop-target").forEach(function (el) { el.classList.remove("drop-target"); });
  });
  document.addEventListener("dragover", function (event) {
    var slot = dragged && event.target.closest && event.target.closest(".cal-slot");
    if (!slot) return;
    event.preventDefault();
    document.querySelectorAll(".drop-target").forEach(function (el) { el.classList.remove("drop-target"); });
    slot.classList.add("drop-target");
  });
  document.addEventListener("drop", function (event) {
    var slot = dragged && event.target.closest && event.target.closest(".cal-slot");
    if (!slot) return;
    event.preventDefault();
    move(dragged.dataset.moveUrl, slot.dataset.start, slot.dataset.practitioner, false);
  });

  function csrfToken() {
    var headers = document.body.getAttribute("hx-headers");
    try { return JSON.parse(headers)["X-CSRFToken"]; } catch (e) { return ""; }
  }

  function move(url, start, practitioner, confirmed) {
    var body = new FormData();
    body.append("start", start);
    body.append("practitioner", practitioner);
    if (confirmed) body.append("confirm_outside_rules", "on");
    say(text("movingText", "Moving…"));
    fetch(url, {
      method: "POST",
      body: body,
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) { return response.json().then(function (data) { return [response, data]; }); })
      .then(function (pair) {
        var response = pair[0], data = pair[1];
        if (response.ok) {
          window.location.reload();
        } else if (data.confirm) {
          if (window.confirm(data.detail + "\n\n" + text("confirmText", "Move it anyway?"))) {
            move(url, start, practitioner, true);
          } else {
            say("");
          }
        } else {
          say(data.detail || text("failText", "The appointment could not be moved."));
        }
      })
      .catch(function () { say(text("failText", "The appointment could not be moved.")); });
  }

  // Live calendar: the poll (#cal-live) says "calendar-changed" when an appointment on this day changed (an online
  // booking, a cancellation, a colleague's move); redraw only the grid, keeping the side panel and the scroll.
  document.body.addEventListener("calendar-changed", function () {
    var holder = document.getElementById("cal-grid-live");
    if (!holder || !window.htmx) return;
    htmx.ajax("GET", window.location.href, { target: "#cal-grid-live", select: "#cal-grid-live", swap: "outerHTML" });
  });

  // Keep the current-time line where it belongs without reloading.
  var grid = document.querySelector(".cal[data-first-minute]");
  var line = document.querySelector("[data-now]");
  if (grid && line) {
    var first = parseInt(grid.dataset.firstMinute, 10);
    var start = Date.now();
    var top = parseFloat(getComputedStyle(line).getPropertyValue("--top"));
    setInterval(function () {
      var minutes = top + Math.floor((Date.now() - start) / 60000);
      line.style.setProperty("--top", String(minutes));
      line.hidden = minutes < 0 || first + minutes >= 24 * 60;
    }, 30000);
  }
})();
