// The rating pad: waits (polling every two seconds) for a finished service of its counter,
// shows the five levels, posts the chosen one with the page's CSRF token, thanks, and goes idle.
(function () {
  "use strict";
  var root = document.getElementById("pad");
  if (!root) {
    return;
  }
  var POLL_MS = 2000;
  var MESSAGE_MS = 4000;
  var stateUrl = root.getAttribute("data-state-url");
  var rateUrl = root.getAttribute("data-rate-url");
  var errorText = root.getAttribute("data-error-text");
  var form = root.querySelector("form");
  var ticketInput = form.querySelector('input[name="ticket"]');
  var view = "idle";

  function showView(name) {
    view = name;
    root.querySelectorAll("[data-view]").forEach(function (section) {
      section.hidden = section.getAttribute("data-view") !== name;
    });
  }

  function field(name) {
    return root.querySelector('[data-field="' + name + '"]');
  }

  function poll() {
    if (view === "done") {
      window.setTimeout(poll, POLL_MS);
      return;
    }
    fetch(stateUrl, { headers: { Accept: "application/json" }, cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (!data || view === "done") {
          return;
        }
        if (data.ticket) {
          ticketInput.value = String(data.ticket.id);
          field("ticket").textContent = data.ticket.number;
          showView("rate");
        } else {
          showView("idle");
        }
      })
      .catch(function () {})
      .then(function () {
        window.setTimeout(poll, POLL_MS);
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var body = new FormData(form);
    if (event.submitter) {
      body.set("level", event.submitter.value);
    }
    fetch(rateUrl, {
      method: "POST",
      body: body,
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.json();
      })
      .then(function (data) {
        field("message").textContent = data.message;
      })
      .catch(function () {
        field("message").textContent = errorText;
      })
      .then(function () {
        showView("done");
        window.setTimeout(function () {
          showView("idle");
        }, MESSAGE_MS);
      });
  });

  poll();
})();
