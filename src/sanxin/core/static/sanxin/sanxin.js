// Shell behaviour without inline scripts (the CSP forbids them).
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var t = e.target.closest("[data-toggle-nav]");
    if (!t) return;
    var nav = document.getElementById("mainnav");
    var open = nav.classList.toggle("open");
    t.setAttribute("aria-expanded", open ? "true" : "false");
  });
  // Any [data-print] button prints the page (print styles hide the navigation and actions).
  document.addEventListener("click", function (e) {
    if (e.target.closest("[data-print]")) window.print();
  });
  // Tree nodes: the first click loads the children (htmx), later clicks fold and unfold them.
  document.addEventListener("click", function (e) {
    var btn = e.target.closest(".tree-toggle");
    if (!btn || !btn.classList.contains("loaded")) return;
    e.stopPropagation();
    e.preventDefault();
    var list = btn.parentElement.querySelector(".tree-children");
    var open = !list.hidden;
    list.hidden = open;
    btn.textContent = open ? "＋" : "－";
    btn.setAttribute("aria-expanded", open ? "false" : "true");
  }, true);
  document.addEventListener("htmx:afterSwap", function (e) {
    var list = e.detail.target;
    if (!list.classList || !list.classList.contains("tree-children")) return;
    var btn = list.parentElement.querySelector(".tree-toggle");
    if (btn) { btn.classList.add("loaded"); btn.textContent = "－"; btn.setAttribute("aria-expanded", "true"); }
  });
  // The header badge follows the unread count the server reports after marking notices read.
  document.body && document.body.addEventListener("notificationsChanged", function (e) {
    var unread = e.detail && typeof e.detail.unread === "number" ? e.detail.unread : null;
    var badge = document.querySelector('[data-testid="unread-count"]');
    if (unread === null) return;
    if (unread === 0 && badge) { badge.remove(); return; }
    if (badge) badge.textContent = String(unread);
  });
  // Show a Chinese message when an htmx request fails instead of failing silently.
  document.addEventListener("htmx:responseError", function (e) {
    var box = document.querySelector(".messages") || (function () {
      var d = document.createElement("div");
      d.className = "messages";
      document.getElementById("content").prepend(d);
      return d;
    })();
    var m = document.createElement("div");
    m.className = "msg msg-error";
    m.setAttribute("role", "alert");
    var status = e.detail.xhr ? e.detail.xhr.status : 0;
    m.textContent = status === 403 ? "没有执行此操作的权限" : status === 404 ? "对象不存在或无权访问" : "操作未成功，请稍后重试（" + status + "）";
    box.appendChild(m);
  });
  // Location check-in: fill the form's lat/lng from the browser's position, then submit; without a
  // position the form goes as it is and the server says why (manual fallback: scan the QR).
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.hasAttribute || !form.hasAttribute("data-geolocate") || form.dataset.located) return;
    if (!navigator.geolocation) return;
    e.preventDefault();
    var submitter = e.submitter;
    function send() {
      form.dataset.located = "1";
      if (submitter && submitter.name) {
        var h = document.createElement("input");
        h.type = "hidden"; h.name = submitter.name; h.value = submitter.value;
        form.appendChild(h);
      }
      form.submit();
    }
    navigator.geolocation.getCurrentPosition(function (pos) {
      form.querySelector('[name="lat"]').value = pos.coords.latitude;
      form.querySelector('[name="lng"]').value = pos.coords.longitude;
      send();
    }, send, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
  });
})();
