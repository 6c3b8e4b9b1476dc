// govhall public site: the kiosk's idle return and full screen; nothing else needs script.
(function () {
  "use strict";
  var body = document.body;
  var home = body.getAttribute("data-kiosk-home");
  if (!home) {
    return;
  }
  var idleSeconds = parseInt(body.getAttribute("data-kiosk-idle") || "90", 10);
  var timer = null;
  function goHome() {
    if (window.location.pathname !== home || window.location.search) {
      window.location.assign(home);
    } else {
      window.scrollTo(0, 0);
      restart();
    }
  }
  function restart() {
    window.clearTimeout(timer);
    timer = window.setTimeout(goHome, idleSeconds * 1000);
  }
  ["pointerdown", "keydown", "touchstart", "scroll"].forEach(function (name) {
    window.addEventListener(name, restart, { passive: true });
  });
  // Browsers allow full screen only after a touch; the first one asks for it.
  window.addEventListener("pointerdown", function () {
    if (!document.fullscreenElement && document.documentElement.requestFullscreen) {
      document.documentElement.requestFullscreen().catch(function () {});
    }
  }, { once: true });
  restart();
})();
