// The phone page of a ticket: ask the API every few seconds and update the page in place.
(function () {
  "use strict";
  var card = document.querySelector("[data-ticket-url]");
  if (!card) {
    return;
  }
  var url = card.getAttribute("data-ticket-url");
  var lastStatus = null;
  function show(ticket) {
    card.querySelectorAll("[data-field]").forEach(function (element) {
      var value = ticket[element.getAttribute("data-field")];
      element.textContent = value === null || value === undefined ? "—" : String(value);
    });
    var status = card.querySelector(".ticket-status");
    if (status) {
      status.className = "ticket-status status-" + ticket.status;
    }
    if (lastStatus !== null && lastStatus !== ticket.status && navigator.vibrate) {
      navigator.vibrate([300, 100, 300]);
    }
    if (lastStatus !== null && lastStatus !== ticket.status &&
        (ticket.status === "missed" || ticket.status === "cancelled" || lastStatus === "missed")) {
      window.location.reload();
    }
    lastStatus = ticket.status;
  }
  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (ticket) { if (ticket) { show(ticket); } })
      .catch(function () {})
      .finally(function () { window.setTimeout(poll, 4000); });
  }
  window.setTimeout(poll, 4000);
})();
