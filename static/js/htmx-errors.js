/* Every page: what htmx does with an error answer, and forms that must not be sent twice.

   The server answers a refused htmx form with the same form and its messages (400 bad input, 409 conflict, 422, or
   403 for someone else's diary). htmx drops such answers by default, so the user saw nothing; here they are swapped
   into the request's target like a success. An answer that is a whole page (an error page, a sign-in page) is never
   swapped into a fragment, and nothing ever replaces the whole page: a short notice says what happened instead. */
(function () {
  "use strict";

  var SWAPPED = [400, 403, 409, 422];

  function isWholePage(text) {
    return /^\s*(<!doctype|<html)/i.test(text || "");
  }

  function notice(message) {
    var box = document.getElementById("htmx-notice");
    if (!box) {
      box = document.createElement("div");
      box.id = "htmx-notice";
      box.className = "messages";
      box.setAttribute("role", "alert");
      var main = document.getElementById("main") || document.body;
      main.insertBefore(box, main.firstChild);
    }
    box.innerHTML = "";
    var line = document.createElement("p");
    line.className = "message error";
    line.textContent = message;
    box.appendChild(line);
  }

  function noticeText(name, fallback) {
    return document.body.dataset[name] || fallback;
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.status < 400) return;
    if (SWAPPED.indexOf(xhr.status) !== -1 && !isWholePage(xhr.responseText)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
      return;
    }
    event.detail.shouldSwap = false;
    if (xhr.status === 403 || xhr.status === 401) {
      notice(noticeText("htmxForbidden", "You are not allowed to do this, or you have been signed out. Reload the page."));
    } else if (xhr.status === 404) {
      notice(noticeText("htmxNotFound", "This is no longer there. Reload the page."));
    } else if (xhr.status === 429) {
      notice(noticeText("htmxBusy", "Too many requests. Please wait a moment and try again."));
    } else if (xhr.status >= 400 && xhr.status < 500) {
      notice(noticeText("htmxRefused", "That could not be done. Reload the page and try again."));
    } else {
      notice(noticeText("htmxFailed", "Something went wrong on our side. Please try again."));
    }
  });

  document.addEventListener("htmx:sendError", function () {
    notice(noticeText("htmxOffline", "The server could not be reached. Check the connection and try again."));
  });

  // Forms marked data-submit-once (booking, confirming): after the first submit, the button is disabled so a
  // double tap sends one request. The server is idempotent as well (a repeated form gets the first answer).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-submit-once]")) return;
    if (form.dataset.submitted === "1") {
      event.preventDefault();
      return;
    }
    form.dataset.submitted = "1";
    // Disabled after the browser has read the form, so the clicked button's name and value are still sent.
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (button) {
        button.disabled = true;
        button.setAttribute("aria-disabled", "true");
      });
    }, 0);
  });

  // Coming back to a page with the back button (bfcache) re-enables its forms.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
      form.dataset.submitted = "";
      form.querySelectorAll("button[disabled][aria-disabled]").forEach(function (button) {
        button.disabled = false;
        button.removeAttribute("aria-disabled");
      });
    });
  });
})();
