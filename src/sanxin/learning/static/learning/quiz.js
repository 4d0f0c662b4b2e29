// The contest paper's countdown (the CSP forbids inline scripts). It only shows the time the server
// fixed when the paper started: the seconds left are the server's, counted down from when the page
// arrived, so a wrong phone clock changes nothing. At zero the paper is handed in once; the server
// decides whether it still counts (a submission after the deadline and its grace is refused).
(function () {
  "use strict";
  var clock = document.querySelector("[data-quiz-clock]");
  var form = document.querySelector("[data-quiz-form]");
  if (!clock || !form) return;
  var text = clock.querySelector("[data-clock-text]");
  var left = parseInt(clock.dataset.secondsLeft, 10);
  if (isNaN(left)) return;
  var arrived = Date.now();
  var sent = false;

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function tick() {
    var remain = Math.max(0, left - Math.floor((Date.now() - arrived) / 1000));
    text.textContent = Math.floor(remain / 60) + ":" + pad(remain % 60);
    clock.classList.toggle("quiz-clock-low", remain <= 60);
    if (remain === 0 && !sent) {
      sent = true;
      text.textContent = "时间到，正在交卷……";
      form.requestSubmit ? form.requestSubmit() : form.submit();
      return;
    }
    window.setTimeout(tick, 1000);
  }

  form.addEventListener("submit", function () { sent = true; });
  tick();
})();
