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
      // The booking panel starts on its patient search; an appointment's panel on its heading.
      var first = side.querySelector("#patient-q") || side.querySelector("h2");
      if (first) {
        if (first.tagName === "H2") first.setAttribute("tabindex", "-1");
        first.focus();
      }
    });
  });

  // A practitioner ticked with the mouse applies at once. From the keyboard (Space) nothing reloads until "Show"; the
  // date box never reloads by itself either, as typing a date passes through other valid dates (12/01/2 → year 2).
  document.querySelectorAll("input[data-autosubmit]").forEach(function (box) {
    box.addEventListener("click", function (event) {
      if (event.detail > 0 && box.form) box.form.requestSubmit();
    });
  });

  // The grid is one Tab stop per column (the roving item has tabindex 0, the rest -1); arrows move inside it.
  var columns = Array.prototype.slice.call(document.querySelectorAll(".cal-col"));
  function items(column) { return Array.prototype.slice.call(column.querySelectorAll("a.cal-slot, a.cal-appt")); }
  function top(item) { return parseInt(item.dataset.top, 10) || 0; }
  function rove(column, item) {
    items(column).forEach(function (other) { other.tabIndex = other === item ? 0 : -1; });
  }
  function moveTo(column, item) {
    if (!item) return;
    rove(column, item);
    item.focus();
    item.scrollIntoView({ block: "nearest", inline: "nearest" });
  }
  function nearest(column, minute) {
    var best = null;
    items(column).forEach(function (item) {
      if (!best || Math.abs(top(item) - minute) < Math.abs(top(best) - minute)) best = item;
    });
    return best;
  }
  columns.forEach(function (column) {
    var all = items(column);
    if (!all.length) return;
    // The column's Tab stop: its first appointment, else its first free time.
    rove(column, column.querySelector("a.cal-appt") || all[0]);
    column.addEventListener("keydown", function (event) {
      var item = event.target.closest("a.cal-slot, a.cal-appt");
      if (!item || event.altKey || event.ctrlKey || event.metaKey) return;
      var list = items(column), index = list.indexOf(item), target = null, here = columns.indexOf(column);
      if (event.key === "ArrowDown") target = list[index + 1];
      else if (event.key === "ArrowUp") target = list[index - 1];
      else if (event.key === "Home") target = list[0];
      else if (event.key === "End") target = list[list.length - 1];
      else if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
        var step = event.key === "ArrowRight" ? 1 : -1;
        for (var i = here + step; i >= 0 && i < columns.length && !target; i += step) {
          target = nearest(columns[i], top(item));
          if (target) { event.preventDefault(); moveTo(columns[i], target); return; }
        }
      } else return;
      event.preventDefault();
      moveTo(column, target);
    });
  });

  // "Skip to the calendar" lands on the day's first appointment (or the first column's Tab stop).
  document.querySelectorAll("[data-skip-calendar]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var first = null;
      document.querySelectorAll("a.cal-appt").forEach(function (appt) {
        if (!first || top(appt) < top(first)) first = appt;
      });
      first = first || document.querySelector('.cal-col a[tabindex="0"]');
      if (!first) return;
      event.preventDefault();
      moveTo(first.closest(".cal-col"), first);
    });
  });

  // Shortcuts, listed on the page: t today, n next, p previous, b book. Not while typing in a field.
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) return;
    var target = event.target;
    if (target.closest && target.closest("input, textarea, select, [contenteditable], #cal-side")) return;
    var link = event.key.length === 1 && document.querySelector('[data-key="' + event.key.toLowerCase() + '"]');
    if (!link || event.key !== event.key.toLowerCase()) return;
    event.preventDefault();
    link.click();
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
