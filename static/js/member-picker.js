/* Search pickers: turn <select data-search-url="/members/search/"> into a search box (members, ledger lines). */
(function () {
  function init(select) {
    if (select.tomselect) return;
    var url = select.getAttribute("data-search-url");
    // Tom Select points the field's <label> at its own search box; the hidden <select> it keeps for the
    // form keeps the label's text for screen readers.
    var label = select.id && document.querySelector('label[for="' + select.id + '"]');
    if (label && !select.hasAttribute("aria-label")) {
      select.setAttribute("aria-label", label.textContent.replace(/[*\s]+$/, "").trim());
    }
    new TomSelect(select, {
      valueField: "id",
      labelField: "text",
      searchField: ["text"],
      maxOptions: 20,
      loadThrottle: 250,
      placeholder: "输入姓名或身份证号后几位搜索",
      plugins: select.multiple ? ["remove_button"] : [],
      load: function (query, callback) {
        fetch(url + "?q=" + encodeURIComponent(query), { credentials: "same-origin" })
          .then(function (r) { return r.json(); })
          .then(function (data) { callback(data.results); })
          .catch(function () { callback(); });
      },
      render: {
        no_results: function () { return '<div class="no-results">没有找到，请换个关键字</div>'; },
        loading: function () { return '<div class="spinner-border spinner-border-sm m-2"></div>'; }
      }
    });
  }
  function initAll(root) {
    (root || document).querySelectorAll("select[data-search-url]").forEach(init);
  }
  document.addEventListener("DOMContentLoaded", function () { initAll(); });
  window.careMemberPicker = { init: initAll };
})();
