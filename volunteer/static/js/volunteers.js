// Progressive enhancement for the profile form: filter the long skill list as you type.
// Without JavaScript the filter box stays hidden and the full list of checkboxes works as is.
(function () {
  "use strict";
  document.querySelectorAll("[data-filter-target]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("data-filter-target"));
    if (!list) { return; }
    document.documentElement.classList.add("js");
    input.addEventListener("input", function () {
      var term = input.value.trim().toLowerCase();
      list.querySelectorAll("li").forEach(function (item) {
        var text = item.textContent.toLowerCase();
        var checked = item.querySelector("input:checked");
        item.hidden = term !== "" && text.indexOf(term) === -1 && !checked;
      });
    });
  });
})();
