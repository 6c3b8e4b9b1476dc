// The hall display: polls the display JSON every second, shows calls, counters, queues and
// notices, and announces each new call: the chime, then the server's audio of the call; the
// browser's own speech only if the audio fails and the browser has a Chinese voice.
(function () {
  "use strict";
  var root = document.getElementById("display");
  if (!root) {
    return;
  }
  var POLL_MS = 1000;
  var LONGEST_ANNOUNCEMENT_MS = 15000;
  var url = root.getAttribute("data-display-url");
  var counterTemplate = root.getAttribute("data-counter-template");
  var waitingTemplate = root.getAttribute("data-waiting-template");
  var chime = document.getElementById("chime");
  var voice = document.getElementById("voice");
  var soundButton = document.getElementById("sound-on");
  var offline = document.getElementById("display-offline");
  var latest = document.getElementById("call-latest");
  // Calls made before the screen opened are shown, not announced.
  var lastCallId = null;
  var pending = [];
  var announcing = false;
  var shown = {};

  function node(tag, className, text) {
    var element = document.createElement(tag);
    if (className) {
      element.className = className;
    }
    if (text !== undefined && text !== null) {
      element.textContent = text;
    }
    return element;
  }

  function counterText(number) {
    return counterTemplate.replace("{number}", number === null ? "" : number);
  }

  // Redraw a part only when its data changed, so the screen does not flicker every second.
  function changed(part, data) {
    var json = JSON.stringify(data);
    if (shown[part] === json) {
      return false;
    }
    shown[part] = json;
    return true;
  }

  function showCalls(calls) {
    if (!changed("calls", calls)) {
      return;
    }
    var first = calls[0];
    document.getElementById("call-number").textContent = first ? first.number : "—";
    document.getElementById("call-counter").textContent = first ? counterText(first.counter) : "";
    var list = document.getElementById("call-list");
    list.replaceChildren();
    calls.slice(1).forEach(function (call) {
      var item = node("li");
      item.appendChild(node("span", "", call.number));
      item.appendChild(node("span", "", counterText(call.counter)));
      list.appendChild(item);
    });
  }

  function showCounters(counters) {
    if (!changed("counters", counters)) {
      return;
    }
    var grid = document.getElementById("counter-grid");
    grid.replaceChildren();
    counters.forEach(function (counter) {
      var tile = node("li", "status-" + counter.status);
      var state = counter.status_label;
      if (counter.status === "serving" && counter.ticket) {
        state = counter.ticket;
      } else if (counter.status === "paused" && counter.pause_reason_label) {
        state = counter.pause_reason_label;
      }
      tile.appendChild(node("span", "tile-number", counterText(counter.number)));
      tile.appendChild(node("span", "tile-state", state));
      grid.appendChild(tile);
    });
  }

  function showQueues(queues) {
    if (!changed("queues", queues)) {
      return;
    }
    var list = document.getElementById("queue-list");
    list.replaceChildren();
    queues.forEach(function (queue) {
      var item = node("li");
      item.appendChild(node("b", "", queue.letter + " " + queue.name));
      item.appendChild(document.createTextNode(waitingTemplate.replace("{count}", queue.waiting)));
      list.appendChild(item);
    });
  }

  function showNotices(notices) {
    if (changed("notices", notices)) {
      document.getElementById("notice-track").textContent = notices.join("　　·　　");
    }
  }

  function chineseVoice() {
    if (!window.speechSynthesis) {
      return null;
    }
    var voices = window.speechSynthesis.getVoices();
    for (var i = 0; i < voices.length; i += 1) {
      if (/^zh[-_](CN|Hans)/i.test(voices[i].lang)) {
        return voices[i];
      }
    }
    return null;
  }

  function blocked(error) {
    if (error && error.name === "NotAllowedError") {
      soundButton.hidden = false;
    }
  }

  // Play an audio element to its end; `done` runs once, whatever happens.
  function play(audio, onError, done) {
    var finished = false;
    var timer = window.setTimeout(finish, LONGEST_ANNOUNCEMENT_MS);
    function finish() {
      if (!finished) {
        finished = true;
        window.clearTimeout(timer);
        audio.onended = null;
        audio.onerror = null;
        done();
      }
    }
    function fail(error) {
      if (!finished) {
        finished = true;
        window.clearTimeout(timer);
        blocked(error);
        onError(done);
      }
    }
    audio.onended = finish;
    audio.onerror = fail;
    audio.currentTime = 0;
    var started = audio.play();
    if (started && started.catch) {
      started.catch(fail);
    }
  }

  function speakInBrowser(call) {
    return function (done) {
      var zh = chineseVoice();
      if (!zh) {
        done();
        return;
      }
      var utterance = new SpeechSynthesisUtterance(call.speech);
      utterance.voice = zh;
      utterance.lang = zh.lang;
      utterance.onend = done;
      utterance.onerror = done;
      window.speechSynthesis.speak(utterance);
    };
  }

  function skip(done) {
    done();
  }

  function announceNext() {
    if (announcing || pending.length === 0) {
      return;
    }
    announcing = true;
    var call = pending.shift();
    play(chime, skip, function () {
      voice.src = call.audio;
      play(voice, speakInBrowser(call), function () {
        announcing = false;
        announceNext();
      });
    });
  }

  function announceNew(calls) {
    var newest = calls.length ? calls[0].id : 0;
    if (lastCallId !== null) {
      var fresh = calls.filter(function (call) { return call.id > lastCallId; }).reverse();
      if (fresh.length) {
        latest.classList.remove("fresh");
        void latest.offsetWidth;
        latest.classList.add("fresh");
      }
      pending = pending.concat(fresh);
      announceNext();
    }
    lastCallId = Math.max(lastCallId || 0, newest);
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("display answered " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        offline.hidden = true;
        showCalls(data.calls);
        showCounters(data.counters);
        showQueues(data.queues);
        showNotices(data.notices);
        announceNew(data.calls);
      })
      .catch(function () {
        offline.hidden = false;
      })
      .then(function () {
        window.setTimeout(poll, POLL_MS);
      });
  }

  function tick() {
    document.getElementById("display-clock").textContent = new Date().toLocaleString(
      document.documentElement.lang || undefined,
      { month: "long", day: "numeric", weekday: "long", hour: "2-digit", minute: "2-digit", second: "2-digit" }
    );
  }

  // Browsers may refuse sound until someone touches the screen once.
  soundButton.addEventListener("click", function () {
    soundButton.hidden = true;
    chime.play().catch(function () {});
  });
  if (window.speechSynthesis) {
    window.speechSynthesis.getVoices();
  }
  tick();
  window.setInterval(tick, 1000);
  poll();
})();
