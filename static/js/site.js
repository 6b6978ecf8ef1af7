// Site-wide behaviour: the collapsible header navigation on small screens.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  const toggle = document.querySelector(".nav-toggle");
  const nav = document.getElementById("site-nav");
  if (!toggle || !nav) return;
  toggle.hidden = false;
  nav.dataset.collapsed = "true";
  toggle.addEventListener("click", function () {
    const open = toggle.getAttribute("aria-expanded") === "true";
    toggle.setAttribute("aria-expanded", String(!open));
    nav.dataset.collapsed = String(open);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
      toggle.setAttribute("aria-expanded", "false");
      nav.dataset.collapsed = "true";
      toggle.focus();
    }
  });
})();

// Filters, sorts and notification levels take effect as soon as a choice changes; their submit
// button is for visitors without JavaScript, so it steps aside here.
(function () {
  "use strict";
  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    form.querySelectorAll("[data-autosubmit-button]").forEach(function (button) {
      button.hidden = true;
    });
    form.addEventListener("change", function (event) {
      if (event.target.matches("select, input[type=checkbox], input[type=month]")) {
        form.requestSubmit();
      }
    });
  });
})();
