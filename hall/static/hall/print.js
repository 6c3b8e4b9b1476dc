// Print the ticket at once when the kiosk or reception asked for it (?print=1).
window.addEventListener("load", function () {
  "use strict";
  if (new URLSearchParams(window.location.search).get("print") === "1") {
    window.print();
  }
});
