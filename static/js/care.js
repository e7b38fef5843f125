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
