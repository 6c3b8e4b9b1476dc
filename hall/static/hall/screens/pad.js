// The rating pad: waits (polling every two seconds) for a finished service of its counter,
// shows the five levels, posts the chosen one with the page's CSRF token, then offers the
// optional indicators (sent or skipped), thanks, and goes idle.
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
  var ASPECTS_MS = 30000;
  var indicatorsUrl = root.getAttribute("data-indicators-url");
  var form = root.querySelector("form.pad-levels");
  var aspects = root.querySelector("form.pad-aspects");
  var ticketInput = form.querySelector('input[name="ticket"]');
  var view = "idle";
  var aspectsTimer = null;

  function showView(name) {
    view = name;
    root.querySelectorAll("[data-view]").forEach(function (section) {
      section.hidden = section.getAttribute("data-view") !== name;
    });
  }

  function field(name) {
    return root.querySelector('[data-field="' + name + '"]');
  }

  function thank(message) {
    window.clearTimeout(aspectsTimer);
    field("message").textContent = message;
    showView("done");
    window.setTimeout(function () {
      showView("idle");
    }, MESSAGE_MS);
  }

  function poll() {
    if (view === "done" || view === "indicators") {
      window.setTimeout(poll, POLL_MS);
      return;
    }
    fetch(stateUrl, { headers: { Accept: "application/json" }, cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (!data || view === "done" || view === "indicators") {
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
        return response.json().then(function (data) {
          return { rated: response.status === 201, message: data.message };
        });
      })
      .then(function (answer) {
        if (!answer.rated) {
          thank(answer.message);
          return;
        }
        aspects.reset();
        field("thanks").textContent = answer.message;
        aspects.querySelector('input[name="ticket"]').value = ticketInput.value;
        showView("indicators");
        aspectsTimer = window.setTimeout(function () {
          thank(answer.message);
        }, ASPECTS_MS);
        aspects.setAttribute("data-message", answer.message);
      })
      .catch(function () {
        thank(errorText);
      });
  });

  aspects.querySelector('[data-action="skip"]').addEventListener("click", function () {
    thank(aspects.getAttribute("data-message"));
  });

  aspects.addEventListener("submit", function (event) {
    event.preventDefault();
    fetch(indicatorsUrl, {
      method: "POST",
      body: new FormData(aspects),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.json();
      })
      .then(function (data) {
        thank(data.message);
      })
      .catch(function () {
        thank(errorText);
      });
  });

  poll();
})();
