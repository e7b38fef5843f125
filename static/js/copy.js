// "复制" buttons: copy the text of the element named by data-copy-target (the API token shown once).
document.addEventListener("click", function (event) {
  "use strict";
  var button = event.target.closest("[data-copy-target]");
  if (!button || !navigator.clipboard) {
    return;
  }
  var source = document.getElementById(button.getAttribute("data-copy-target"));
  navigator.clipboard.writeText(source.textContent.trim()).then(function () {
    button.textContent = "已复制";
  });
});
