/* Small behaviours without inline handlers (the Content-Security-Policy forbids inline script):
   [data-print] prints the page; [data-confirm] on a button/link or a form asks before going on;
   select[data-autosubmit] submits its form on change; [data-check-all="selector"] ticks all boxes. */
document.addEventListener("click", function (event) {
  var trigger = event.target.closest("[data-print]");
  if (trigger) { event.preventDefault(); window.print(); return; }
  var confirmer = event.target.closest("button[data-confirm], a[data-confirm], input[data-confirm]");
  if (confirmer && !window.confirm(confirmer.getAttribute("data-confirm"))) { event.preventDefault(); }
});
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.matches("form[data-confirm]") && !window.confirm(form.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target.matches("select[data-autosubmit]")) { target.form.submit(); }
  var selector = target.getAttribute("data-check-all");
  if (selector) {
    document.querySelectorAll(selector).forEach(function (box) { box.checked = target.checked; });
  }
});

/* The field app (离线登记, static/js/field.js): the service worker is registered from every signed-in
   page, so the shell is on the phone early (the work list comes when /field/ is opened online). Signing out first warns about
   entries not yet synced, then deletes what the field app keeps on this device (FieldDB.wipe); the
   server's answer also carries Clear-Site-Data. */
if ("serviceWorker" in navigator && document.querySelector("link[rel=manifest]")) {
  navigator.serviceWorker.register("/sw.js", {scope: "/"}).catch(function () { return null; });
}
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.matches("form[data-logout]") || !window.FieldDB || form.dataset.cleared) { return; }
  event.preventDefault();
  window.FieldDB.countUnsynced().catch(function () { return 0; }).then(function (count) {
    if (count && !window.confirm("本机还有 " + count + " 条离线登记尚未同步。退出后它们将从本机删除，无法恢复。确定退出吗？")) {
      return;
    }
    window.FieldDB.wipe().catch(function () { return null; }).then(function () {
      form.dataset.cleared = "1";
      form.submit();
    });
  });
});

/* [data-scroll-tabs]: a sideways-scrolling row of tabs shows a hint while tabs are hidden on the right. */
document.querySelectorAll("[data-scroll-tabs]").forEach(function (box) {
  var row = box.querySelector(".nav");
  var active = row.querySelector(".active");
  if (active && active.offsetLeft + active.offsetWidth > row.clientWidth) {
    row.scrollLeft = active.offsetLeft - 16;
  }
  function update() { box.classList.toggle("has-more", row.scrollLeft + row.clientWidth < row.scrollWidth - 2); }
  row.addEventListener("scroll", update, { passive: true });
  window.addEventListener("resize", update);
  update();
});
