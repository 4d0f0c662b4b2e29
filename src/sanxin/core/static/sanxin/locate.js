// "使用当前位置": the browser's location into the form's hidden lat/lng fields (no inline script; the
// street select stays as the manual fallback when the phone refuses or has no fix). With
// data-locate-submit on the button the form is sent once the position is known. Every such button
// on the page works on its own form and reports in that form's data-locate-status.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-locate]").forEach(function (button) {
      var form = button.closest("form");
      var status = form.querySelector("[data-locate-status]") || document.querySelector("[data-locate-status]");
      button.addEventListener("click", function () {
        if (!navigator.geolocation) { status.textContent = "此设备不支持定位，请选择所在街道"; return; }
        status.textContent = "正在定位…";
        navigator.geolocation.getCurrentPosition(function (pos) {
          form.querySelector("[name=lat]").value = pos.coords.latitude.toFixed(6);
          form.querySelector("[name=lng]").value = pos.coords.longitude.toFixed(6);
          status.textContent = "已获取位置（精度约 " + Math.round(pos.coords.accuracy) + " 米）";
          if (button.hasAttribute("data-locate-submit")) form.submit();
        }, function () {
          status.textContent = "未能定位，请选择所在街道";
        }, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
      });
    });
  });
})();
