/* Polls a background report job and fills the progress bar; shows the download link when done. */
(function () {
  var box = document.getElementById("report-job");
  if (!box) return;
  var url = box.getAttribute("data-status-url");
  function poll() {
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
      var bar = document.getElementById("report-progress");
      bar.style.width = data.progress + "%";
      bar.textContent = data.progress + "%";
      document.getElementById("report-status").textContent = data.label;
      if (data.status === "done") {
        document.getElementById("report-download").classList.remove("d-none");
      } else if (data.status !== "failed" && data.status !== "expired") {
        setTimeout(poll, 2000);
      }
    }).catch(function () { setTimeout(poll, 5000); });
  }
  var status = box.getAttribute("data-status");
  if (status !== "done" && status !== "failed" && status !== "expired") poll();
})();
