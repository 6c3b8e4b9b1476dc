// The screen above a counter: polls the counter's state every two seconds and updates the page.
(function () {
  "use strict";
  var root = document.getElementById("counter-board");
  if (!root) {
    return;
  }
  var POLL_MS = 2000;
  var url = root.getAttribute("data-state-url");

  function field(name) {
    return root.querySelector('[data-field="' + name + '"]');
  }

  function part(name) {
    return root.querySelector('[data-part="' + name + '"]');
  }

  function show(data) {
    root.className = "counter-board status-" + data.status;
    field("status_label").textContent = data.status_label;
    field("pause_reason_label").textContent = data.pause_reason_label;
    field("ticket").textContent = data.ticket || "";
    var staff = data.staff;
    part("staff").hidden = !staff;
    part("commitment").hidden = !(staff && staff.commitment);
    part("party").hidden = !(staff && staff.party_member);
    var titles = data.titles || [];
    part("titles").hidden = titles.length === 0;
    part("titles").replaceChildren.apply(part("titles"), titles.map(function (text) {
      var item = document.createElement("li");
      item.textContent = text;
      return item;
    }));
    if (staff) {
      ["name", "badge_number", "title", "commitment", "commitment_signed_on"].forEach(function (name) {
        field(name).textContent = staff[name];
      });
      if (field("photo").getAttribute("src") !== staff.photo) {
        field("photo").setAttribute("src", staff.photo);
      }
    }
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (data) {
          show(data);
        }
      })
      .catch(function () {})
      .then(function () {
        window.setTimeout(poll, POLL_MS);
      });
  }

  window.setTimeout(poll, POLL_MS);
})();
