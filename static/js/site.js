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

// Anchored targets stop below the sticky header (scroll-padding in site.css): keep its height
// exact when the header wraps, but not while the phone menu is open. Runs after the menu has
// collapsed, so a phone measures the header bar alone.
(function () {
  "use strict";
  const header = document.querySelector(".site-header");
  if (!header) return;
  function measureHeader() {
    const nav = document.getElementById("site-nav");
    if (nav && nav.dataset.collapsed === "false") return;
    document.documentElement.style.setProperty("--header-height", header.offsetHeight + "px");
  }
  measureHeader();
  if ("ResizeObserver" in window) new ResizeObserver(measureHeader).observe(header);
  // The browser may have jumped to the address's #anchor before the height was known.
  let target = null;
  try {
    target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
  } catch (error) {
    target = null; // a malformed #anchor: nothing to scroll to
  }
  if (target) requestAnimationFrame(function () { target.scrollIntoView(); });
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

// The header's search box suggests results as people type (the ARIA combobox pattern): arrows
// move through them, Enter opens one, Escape closes the list; without JavaScript it is a plain
// search form.
(function () {
  "use strict";
  const form = document.querySelector("form.site-search[data-suggest-url]");
  if (!form) return;
  const input = form.querySelector("input[name=q]");
  const list = form.querySelector("[role=listbox]");
  let timer = null;
  let active = -1;
  let controller = null;

  function options() {
    return Array.from(list.querySelectorAll("[role=option]"));
  }
  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }
  function select(index) {
    const items = options();
    if (!items.length) return;
    active = (index + items.length) % items.length;
    items.forEach(function (item, i) {
      item.setAttribute("aria-selected", String(i === active));
    });
    input.setAttribute("aria-activedescendant", items[active].id);
    items[active].scrollIntoView({ block: "nearest" });
  }
  function show(results) {
    list.replaceChildren();
    results.forEach(function (result, i) {
      const item = document.createElement("li");
      item.id = "site-search-suggestion-" + i;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      item.dataset.url = result.url;
      const title = document.createElement("bdi");
      title.className = "site-search__title";
      title.textContent = result.title;
      const kind = document.createElement("span");
      kind.className = "site-search__kind";
      kind.textContent = result.meta ? result.kind + " · " + result.meta : result.kind;
      item.append(title, kind);
      item.addEventListener("mousedown", function (event) {
        event.preventDefault();
        window.location.assign(result.url);
      });
      list.append(item);
    });
    list.hidden = results.length === 0;
    input.setAttribute("aria-expanded", String(results.length > 0));
    active = -1;
  }
  function ask() {
    const q = input.value.trim();
    if (q.length < 2) {
      close();
      return;
    }
    if (controller) controller.abort();
    controller = new AbortController();
    fetch(form.dataset.suggestUrl + "?q=" + encodeURIComponent(q), {
      headers: { Accept: "application/json" },
      signal: controller.signal,
    })
      .then(function (response) {
        return response.ok ? response.json() : { results: [] };
      })
      .then(function (body) {
        if (input.value.trim() === q) show(body.results || []);
      })
      .catch(function () {});
  }
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 150);
  });
  input.addEventListener("keydown", function (event) {
    if (list.hidden) return;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      select(active + 1);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      select(active - 1);
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      window.location.assign(options()[active].dataset.url);
    } else if (event.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", function () {
    setTimeout(close, 100);
  });
})();

// Notification preferences: an area's "all on / daily summary only / …" choice moves every kind in
// it; choosing a kind by hand moves the area to "as chosen one by one" (or to the one value they
// now share). Without JavaScript the server applies whichever the member changed.
(function () {
  "use strict";
  document.querySelectorAll("[data-pref-area]").forEach(function (area) {
    const areaRadios = Array.from(area.querySelectorAll(".prefs__area-options input[type=radio]"));
    const kinds = Array.from(area.querySelectorAll("[data-pref-kind]"));
    function kindValues() {
      return kinds.map(function (kind) {
        const checked = kind.querySelector("input[type=radio]:checked");
        return checked ? checked.value : "";
      });
    }
    areaRadios.forEach(function (radio) {
      radio.addEventListener("change", function () {
        if (!radio.checked || radio.value === "") return;
        kinds.forEach(function (kind) {
          const match = kind.querySelector('input[type=radio][value="' + radio.value + '"]');
          if (match) match.checked = true;
        });
      });
    });
    kinds.forEach(function (kind) {
      kind.addEventListener("change", function () {
        const values = kindValues();
        const same = values.every(function (v) { return v === values[0]; }) ? values[0] : "";
        areaRadios.forEach(function (radio) { radio.checked = radio.value === same; });
      });
    });
  });
})();
