// Members' actions without a form per item. The page carries one CSRF token (meta csrf-token):
// links marked data-post-action post to their own address with it (their query string as the
// body) and open the address the server answers; forms marked data-swap post in the background
// and are replaced by the fragment the server answers (a post's reactions). Without JavaScript
// the links open a page that holds the form, and the forms post as usual.
(function () {
  "use strict";
  const meta = document.querySelector('meta[name="csrf-token"]');
  const token = meta ? meta.content : "";

  function send(url, body) {
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": token, "X-Requested-With": "fetch" },
    });
  }

  // Open where the action leads; on the same page, reload it at the item's anchor.
  function open(location, anchor) {
    const target = new URL(location, window.location.href);
    const here = window.location;
    if (target.pathname === here.pathname && target.search === here.search) {
      if (target.hash || anchor) here.hash = target.hash || anchor;
      here.reload();
    } else {
      here.assign(target.href);
    }
  }

  document.addEventListener("click", function (event) {
    const link = event.target.closest ? event.target.closest("a[data-post-action]") : null;
    if (!link || !token || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey) return;
    event.preventDefault();
    if (link.dataset.confirm && !window.confirm(link.dataset.confirm)) return;
    const url = new URL(link.href, window.location.href);
    const body = new URLSearchParams(url.search);
    const item = link.closest("[id]");
    link.setAttribute("aria-disabled", "true");
    send(url.pathname, body)
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (data) { open(data.location, item ? "#" + item.id : ""); })
      .catch(function () { window.location.assign(link.href); })  // the page with the form
      .finally(function () { link.removeAttribute("aria-disabled"); });
  });

  // Reply threads the answer to a post or comment without quoting it: the composer's banner
  // (data-reply-banner, naming its hidden field) says to whom, with a way to cancel. Without
  // JavaScript the link reloads the page with the same banner.
  const banner = document.querySelector("[data-reply-banner]");
  const field = banner ? document.querySelector(banner.dataset.replyField) : null;
  if (field) {
    document.addEventListener("click", function (event) {
      if (!event.target.closest) return;
      const link = event.target.closest("a[data-reply]");
      const cancel = event.target.closest("[data-reply-cancel]");
      if (!link && !cancel) return;
      event.preventDefault();
      if (link) {
        const item = link.closest("[id]");
        field.value = link.dataset.reply;
        banner.querySelector("[data-reply-name]").textContent = link.dataset.replyName || (item ? "#" + item.id : "");
        if (item) banner.querySelector("[data-reply-link]").href = "#" + item.id;
        banner.hidden = false;
      } else {
        field.value = "";
        banner.hidden = true;
      }
      field.dispatchEvent(new Event("change", { bubbles: true }));  // the composer's draft follows
      const text = field.form && field.form.querySelector("textarea");
      if (text) text.focus(); else banner.scrollIntoView();
    });
  }

  // React opens the page's one picker (template#react-picker) as a row of buttons inside this
  // reaction form, right after the link: nothing is covered. Escape closes it.
  function closePicker(row) {
    const toggle = row.previousElementSibling;
    row.remove();
    if (toggle) { toggle.setAttribute("aria-expanded", "false"); toggle.focus(); }
  }
  document.addEventListener("click", function (event) {
    const toggle = event.target.closest ? event.target.closest("a[data-react-picker]") : null;
    const template = document.getElementById("react-picker");
    if (!toggle || !template || event.defaultPrevented) return;
    event.preventDefault();
    const next = toggle.nextElementSibling;
    if (next && next.matches(".react-picker")) { closePicker(next); return; }
    const row = template.content.firstElementChild.cloneNode(true);
    toggle.after(row);
    toggle.setAttribute("aria-expanded", "true");
    row.querySelector("button").focus();
  });
  document.addEventListener("keydown", function (event) {
    const row = event.key === "Escape" && event.target.closest ? event.target.closest(".react-picker") : null;
    if (row) closePicker(row);
  });

  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!form.matches || !form.matches("form[data-swap]") || event.defaultPrevented) return;
    event.preventDefault();
    const submitter = event.submitter;
    const body = new FormData(form);
    if (submitter && submitter.name) body.append(submitter.name, submitter.value);
    form.setAttribute("aria-busy", "true");
    send(form.action, body)
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) {
        const holder = document.createElement("div");
        holder.innerHTML = html.trim();  // rendered by the server from its own template
        const fresh = holder.firstElementChild;
        if (!fresh) { form.remove(); return; }
        form.replaceWith(fresh);
        // Keep the keyboard where it was: on the button for the same choice.
        const again = submitter && Array.from(fresh.querySelectorAll("button")).find(function (b) {
          return b.value === submitter.value;
        });
        if (again) again.focus();
      })
      .catch(function () {
        // Let the server say what went wrong, as without JavaScript.
        form.removeAttribute("data-swap");
        form.removeAttribute("aria-busy");
        if (submitter) form.requestSubmit(submitter); else form.submit();
      });
  });
})();
