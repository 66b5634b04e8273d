// Progressive enhancement for the profile's chips (templates/volunteers/_chips.html): a filter
// box that hides the chips not matching what is typed (label, other language, synonyms).
// Without JavaScript the filter box stays hidden and every chip is a plain checkbox that works.
// Ticked chips always stay visible, so a filter never hides a choice already made.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  document.querySelectorAll("[data-filter-target]").forEach(function (input) {
    var menu = document.getElementById(input.getAttribute("data-filter-target"));
    var status = document.getElementById(input.getAttribute("aria-describedby"));
    if (!menu) { return; }
    var more = menu.querySelector("details");
    var wasOpen = more ? more.open : false;
    input.addEventListener("input", function () {
      var term = input.value.trim().toLowerCase();
      var shown = 0;
      menu.querySelectorAll("[data-terms]").forEach(function (item) {
        var match = term === "" || item.getAttribute("data-terms").indexOf(term) !== -1 ||
          item.textContent.toLowerCase().indexOf(term) !== -1;
        var keep = match || item.querySelector("input:checked") !== null;
        item.hidden = !keep;
        if (match) { shown += 1; }
      });
      menu.querySelectorAll("fieldset").forEach(function (group) {
        group.hidden = group.querySelector("[data-terms]:not([hidden])") === null;
      });
      if (more) { more.open = term !== "" ? true : wasOpen; }
      if (status) { status.textContent = term !== "" && shown === 0 ? input.getAttribute("data-no-match") : ""; }
    });
    if (more) {
      more.addEventListener("toggle", function () { if (input.value.trim() === "") { wasOpen = more.open; } });
    }
  });
})();
