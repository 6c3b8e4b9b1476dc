// The hall manager's board: fetches the board again every five seconds and puts it in place.
(function () {
  "use strict";
  var root = document.getElementById("manager-board");
  if (!root) {
    return;
  }
  var POLL_MS = 5000;
  var url = root.getAttribute("data-board-url");

  function poll() {
    fetch(url, { cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        // The server renders the board with the site's escaping: its HTML is safe to place.
        if (html !== null) {
          root.innerHTML = html;
        }
      })
      .catch(function () {})
      .then(function () {
        window.setTimeout(poll, POLL_MS);
      });
  }

  window.setTimeout(poll, POLL_MS);
})();
