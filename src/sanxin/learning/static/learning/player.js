// The lesson player's heartbeats (the CSP forbids inline scripts). While a video or audio plays — or an
// article's page is visible — the page reports the position every few seconds; the server counts at
// most the wall time between two reports, so jumping ahead gains nothing, and credits the lesson once
// enough has been watched. `playing` says whether the interval that ends with a report was spent
// playing: the report that starts playback says false, the periodic ones and the one at a pause true.
(function () {
  "use strict";
  var root = document.querySelector("[data-lesson-player]");
  if (!root) return;
  var url = root.dataset.beatUrl;
  var csrf = root.dataset.csrf;
  var every = Math.max(5, parseInt(root.dataset.every, 10) || 10) * 1000;
  var media = root.querySelector("video, audio");
  var reading = root.dataset.kind === "article";
  var bar = root.querySelector("[data-progress-bar]");
  var text = root.querySelector("[data-progress-text]");
  var timer = null;
  var busy = false;
  var done = false;

  function show(p) {
    if (!p || !bar) return;
    var need = p.required_s || 0;
    bar.max = need || 1;
    bar.value = Math.min(p.watched_s, need);
    if (p.completed) {
      text.textContent = "已完成，已记入学时";
      if (!done) { done = true; }
    } else if (need) {
      text.textContent = Math.floor(Math.min(p.watched_s, need)) + " / " + need + " 秒";
    }
  }

  function send(playing) {
    if (!bar || busy) return;  // not a member (no progress shown), or a report still on its way
    busy = true;
    var body = JSON.stringify({ position: media ? media.currentTime || 0 : 0, playing: playing });
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: body,
      keepalive: true
    }).then(function (r) { return r.ok ? r.json() : null; })
      .then(show)
      .catch(function () { /* poor signal: the next report covers the time, within the server's gap */ })
      .then(function () { busy = false; });
  }

  function start() {
    if (timer) return;
    send(false);
    timer = setInterval(function () { send(true); }, every);
  }

  function stop() {
    if (!timer) return;
    clearInterval(timer);
    timer = null;
    busy = false;
    send(true);
  }

  if (media) {
    var resume = parseFloat(root.dataset.position || "0");
    media.addEventListener("loadedmetadata", function () {
      if (resume > 0 && resume < (media.duration || 0) - 1) media.currentTime = resume;
    });
    media.addEventListener("play", start);
    media.addEventListener("pause", stop);
    media.addEventListener("ended", stop);
  } else if (reading) {
    if (document.visibilityState === "visible") start();
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") start(); else stop();
    });
  }
})();
