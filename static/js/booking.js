/* Booking pages: after choosing a day, the page opens at that day's times (the link ends in #times-heading or
   #new-times); moving keyboard focus there as well means the next Tab reaches the first time, not the top of the
   page. Without JavaScript the browser still scrolls to the times. */
(function () {
  "use strict";
  var id = window.location.hash.slice(1);
  if (!id) return;
  var target = document.getElementById(id);
  if (target && target.hasAttribute("tabindex")) target.focus();
})();
