// The family-member formset: "再添加一名家庭成员" adds a blank row (Django's empty_form).
(function () {
  const button = document.getElementById("add-family");
  const template = document.getElementById("family-empty");
  const container = document.getElementById("family-forms");
  const total = document.getElementById("id_family-TOTAL_FORMS");
  if (!button || !template || !container || !total) return;
  button.addEventListener("click", function () {
    const index = parseInt(total.value, 10);
    const html = template.innerHTML.replace(/__prefix__/g, String(index));
    container.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    const first = container.lastElementChild.querySelector("input");
    if (first) first.focus();
  });
})();
