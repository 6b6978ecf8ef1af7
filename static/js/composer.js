// The composer: one script for every text box members write in (templates/includes/composer.html
// marks them). It adds @mention suggestions, drafts kept in this browser, pictures uploaded by
// paste, drop or the "Attach image" button, and a live preview rendered by the server's own
// sanitiser. Without it the plain form still posts.
(function () {
  "use strict";
  if (window.hubComposer) return;  // the include may appear more than once on a page
  window.hubComposer = true;

  const DRAFT_PREFIX = "hub:draft:";
  const SENT_KEY = "hub:draft-sent";
  const DRAFT_DAYS = 30;
  const MENTION_BEFORE_CARET = /(^|[^\w@/`])@([A-Za-z0-9_.+-]{1,30})$/;
  let uid = 0;

  function storage(kind) {
    try { const s = window[kind]; s.getItem("x"); return s; } catch (e) { return null; }
  }
  const local = storage("localStorage");
  const session = storage("sessionStorage");

  function csrfToken(form) {
    const field = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function navigationType() {
    const entries = window.performance && performance.getEntriesByType ? performance.getEntriesByType("navigation") : [];
    return entries.length ? entries[0].type : "navigate";
  }

  function pageShowsErrors() {
    return Boolean(document.querySelector(".field__error, .message--error, .form-errors"));
  }

  // A draft is forgotten once its form was posted and the next page shows no error. A post that
  // fails re-renders the form with its errors (the draft stays); a page that never arrived is
  // left with Back or reload, which keeps the draft too.
  function settleSentDraft() {
    if (!session || !local) return;
    const raw = session.getItem(SENT_KEY);
    if (!raw) return;
    session.removeItem(SENT_KEY);
    let sent;
    try { sent = JSON.parse(raw); } catch (e) { return; }
    if (!sent || !sent.key || Date.now() - sent.at > 10 * 60 * 1000) return;
    if (navigationType() !== "navigate" || pageShowsErrors()) return;
    local.removeItem(sent.key);
  }

  function forgetOldDrafts() {
    if (!local) return;
    const oldest = Date.now() - DRAFT_DAYS * 86400000;
    for (let i = local.length - 1; i >= 0; i -= 1) {
      const key = local.key(i);
      if (!key || key.indexOf(DRAFT_PREFIX) !== 0) continue;
      try { if ((JSON.parse(local.getItem(key)) || {}).at < oldest) local.removeItem(key); } catch (e) { local.removeItem(key); }
    }
  }

  // Where the caret is, in pixels from the textarea's top-left corner: a hidden copy of the box
  // with the same text wraps the same way, and a marker at the caret gives its position.
  function caretPosition(textarea) {
    const style = window.getComputedStyle(textarea);
    const mirror = document.createElement("div");
    ["boxSizing", "width", "fontFamily", "fontSize", "fontWeight", "lineHeight", "letterSpacing",
      "paddingTop", "paddingRight", "paddingBottom", "paddingLeft", "borderTopWidth",
      "borderRightWidth", "borderBottomWidth", "borderLeftWidth", "textTransform", "wordSpacing",
      "direction", "tabSize"].forEach(function (name) { mirror.style[name] = style[name]; });
    mirror.style.position = "absolute";
    mirror.style.visibility = "hidden";
    mirror.style.whiteSpace = "pre-wrap";
    mirror.style.overflowWrap = "break-word";
    mirror.style.top = "0";
    mirror.style.left = "-9999px";
    mirror.textContent = textarea.value.slice(0, textarea.selectionStart);
    const marker = document.createElement("span");
    marker.textContent = "\u200b";
    mirror.append(marker);
    document.body.append(mirror);
    const position = {
      top: marker.offsetTop - textarea.scrollTop,
      left: marker.offsetLeft - textarea.scrollLeft,
      line: parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.4,
    };
    mirror.remove();
    return position;
  }

  function Composer(box) {
    const textarea = document.getElementById(box.dataset.for);
    if (!textarea || textarea.dataset.composed) return;
    textarea.dataset.composed = "1";
    const form = textarea.form;
    const list = box.querySelector("[data-composer-list]");
    const status = box.querySelector("[data-composer-status]");
    const toggle = box.querySelector("[data-composer-toggle]");
    const panel = box.querySelector("[data-composer-panel]");
    const output = box.querySelector("[data-composer-output]");
    const notice = box.querySelector("[data-composer-notice]");
    const fileInput = box.querySelector("[data-composer-file]");
    const title = form && form.querySelector("input[name=title]");
    box.hidden = false;

    // With the live preview and the attach button here, the form's own preview button and file
    // field (the no-JavaScript way) would say the same twice.
    if (form) {
      form.querySelectorAll("button[name=preview]").forEach(function (b) { b.hidden = true; });
      form.querySelectorAll(".preview").forEach(function (p) { p.hidden = true; });
    }
    if (box.dataset.replaces) {
      const replaced = document.getElementById(box.dataset.replaces);
      const field = replaced && replaced.closest(".field");
      if (field && !field.classList.contains("field--error")) field.hidden = true;
    }

    // --- Drafts -----------------------------------------------------------------------------
    const target = form ? new URL(form.getAttribute("action") || window.location.href, window.location.href).pathname : window.location.pathname;
    const parent = form && form.querySelector("input[name=parent], input[name=reply_to]");
    const draftBase = DRAFT_PREFIX + (box.dataset.owner || "0") + ":" + target + ":" + textarea.name;
    function keyNow() { return draftBase + (parent && parent.value ? ":" + parent.value : ""); }
    let draftKey = keyNow();
    const original = { text: textarea.defaultValue, title: title ? title.defaultValue : "" };
    let saveTimer = null;

    function saveDraft() {
      if (!local) return;
      const text = textarea.value;
      const heading = title ? title.value : "";
      if ((!text.trim() && !heading.trim()) || (text === original.text && heading === original.title)) {
        local.removeItem(draftKey);
        return;
      }
      try { local.setItem(draftKey, JSON.stringify({ text: text, title: heading, at: Date.now() })); } catch (e) { /* full */ }
    }

    function restoreDraft() {
      if (!local) return;
      let draft;
      try { draft = JSON.parse(local.getItem(draftKey) || "null"); } catch (e) { draft = null; }
      if (!draft || typeof draft.text !== "string") return;
      const sameText = draft.text === textarea.value;
      const sameTitle = !title || !draft.title || draft.title === title.value;
      if (sameText && sameTitle) return;  // a form re-shown with its errors holds the text already
      textarea.value = draft.text;
      if (title && draft.title) title.value = draft.title;
      notice.hidden = false;
    }

    notice.querySelector("[data-composer-discard]").addEventListener("click", function () {
      textarea.value = original.text;
      if (title) title.value = original.title;
      if (local) local.removeItem(draftKey);
      notice.hidden = true;
      textarea.focus();
      schedulePreview();
    });

    // Reply (static/js/actions.js) changes the hidden reply field: the words being written move
    // to that answer's draft, or, when the box is empty, the draft kept for that answer returns.
    function followReplyTarget() {
      const key = keyNow();
      if (key === draftKey) return;
      if (local) local.removeItem(draftKey);
      draftKey = key;
      if (textarea.value.trim()) saveDraft(); else restoreDraft();
    }
    if (parent) parent.addEventListener("change", followReplyTarget);
    textarea.addEventListener("focus", followReplyTarget);

    function scheduleSave() {
      window.clearTimeout(saveTimer);
      saveTimer = window.setTimeout(saveDraft, 300);
    }

    if (form) {
      form.addEventListener("submit", function (event) {
        saveDraft();
        const submitter = event.submitter;
        if (session && !(submitter && submitter.name === "preview")) {
          session.setItem(SENT_KEY, JSON.stringify({ key: draftKey, at: Date.now() }));
        }
      });
    }
    if (title) title.addEventListener("input", scheduleSave);

    // --- Live preview -------------------------------------------------------------------------
    let previewTimer = null;
    let previewRequest = null;
    let lastPreviewed = null;

    function renderPreview() {
      if (panel.hidden) return;
      const text = textarea.value;
      if (text === lastPreviewed) return;
      lastPreviewed = text;
      if (previewRequest) previewRequest.abort();
      previewRequest = new AbortController();
      const body = new URLSearchParams({ text: text });
      fetch(box.dataset.previewUrl, {
        method: "POST", body: body, credentials: "same-origin", signal: previewRequest.signal,
        headers: { "X-CSRFToken": csrfToken(form), "X-Requested-With": "fetch" },
      })
        .then(function (response) { return response.json().then(function (data) { return { ok: response.ok, data: data }; }); })
        .then(function (answer) {
          if (!answer.ok) { lastPreviewed = null; status.textContent = answer.data.error || ""; return; }
          output.innerHTML = answer.data.html;  // rendered and sanitized by the server (hub.markup)
        })
        .catch(function (error) { if (error.name !== "AbortError") lastPreviewed = null; });
    }

    function schedulePreview() {
      window.clearTimeout(previewTimer);
      previewTimer = window.setTimeout(renderPreview, 350);
    }

    toggle.addEventListener("click", function () {
      const showing = panel.hidden;
      panel.hidden = !showing;
      toggle.setAttribute("aria-pressed", showing ? "true" : "false");
      if (showing) { lastPreviewed = null; renderPreview(); }
    });

    // --- Pictures -------------------------------------------------------------------------------
    function insertAtCaret(text, start, end) {
      start = start === undefined ? textarea.selectionStart : start;
      end = end === undefined ? textarea.selectionEnd : end;
      textarea.setRangeText(text, start, end, "end");
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }

    function upload(file) {
      if (!file || !/^image\//.test(file.type || "image/")) return;
      uid += 1;
      const placeholder = "![" + box.dataset.uploading + " " + uid + "]()";
      const before = textarea.selectionStart > 0 && !/\s$/.test(textarea.value.slice(0, textarea.selectionStart)) ? "\n" : "";
      insertAtCaret(before + placeholder + "\n");
      status.textContent = box.dataset.uploading;
      const data = new FormData();
      data.append("image", file, file.name || "image.png");
      function replacePlaceholder(text) {
        const at = textarea.value.indexOf(placeholder);
        if (at === -1) { if (text) insertAtCaret(text); return; }
        const caret = textarea.selectionStart;
        textarea.setRangeText(text, at, at + placeholder.length, "preserve");
        if (caret > at) textarea.selectionStart = textarea.selectionEnd = caret + text.length - placeholder.length;
        textarea.dispatchEvent(new Event("input", { bubbles: true }));
      }
      fetch(box.dataset.uploadUrl, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(form), "X-Requested-With": "fetch" },
      })
        .then(function (response) {
          return response.json().catch(function () { return {}; }).then(function (answer) { return { ok: response.ok, data: answer }; });
        })
        .then(function (answer) {
          if (!answer.ok || !answer.data.markdown) {
            replacePlaceholder("");
            status.textContent = answer.data.error || box.dataset.uploadFailed;
            return;
          }
          replacePlaceholder(answer.data.markdown);
          status.textContent = box.dataset.uploaded;
        })
        .catch(function () { replacePlaceholder(""); status.textContent = box.dataset.uploadFailed; });
    }

    function imagesOf(transfer) {
      if (!transfer || !transfer.files) return [];
      return Array.prototype.filter.call(transfer.files, function (f) { return /^image\//.test(f.type); });
    }

    textarea.addEventListener("paste", function (event) {
      const files = imagesOf(event.clipboardData);
      if (!files.length) return;
      event.preventDefault();
      files.forEach(upload);
    });
    textarea.addEventListener("dragover", function (event) {
      if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types || [], "Files") !== -1) {
        event.preventDefault();
        textarea.classList.add("composer--drop");
      }
    });
    textarea.addEventListener("dragleave", function () { textarea.classList.remove("composer--drop"); });
    textarea.addEventListener("drop", function (event) {
      textarea.classList.remove("composer--drop");
      const files = imagesOf(event.dataTransfer);
      if (!files.length) return;
      event.preventDefault();
      textarea.focus();
      files.forEach(upload);
    });
    box.querySelector("[data-composer-attach]").addEventListener("click", function () { fileInput.click(); });
    fileInput.addEventListener("change", function () {
      Array.prototype.forEach.call(fileInput.files, upload);
      fileInput.value = "";
      textarea.focus();
    });

    // --- @mentions --------------------------------------------------------------------------------
    let options = [];
    let active = -1;
    let mention = null;  // {start, end} of "@name" before the caret
    let suggestTimer = null;
    let suggestRequest = null;
    const cache = {};

    if (box.dataset.suggestUrl) {
      textarea.setAttribute("aria-autocomplete", "list");
      textarea.setAttribute("aria-controls", list.id);
    }

    function closeList() {
      list.hidden = true;
      list.textContent = "";
      options = [];
      active = -1;
      mention = null;
      textarea.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      active = index;
      options.forEach(function (option, i) { option.el.setAttribute("aria-selected", i === index ? "true" : "false"); });
      if (index >= 0) {
        textarea.setAttribute("aria-activedescendant", options[index].el.id);
        options[index].el.scrollIntoView({ block: "nearest" });
      } else {
        textarea.removeAttribute("aria-activedescendant");
      }
    }

    function pick(index) {
      const chosen = options[index];
      if (!chosen || !mention) return;
      const after = textarea.value.slice(mention.end, mention.end + 1);
      insertAtCaret("@" + chosen.username + (after === " " ? "" : " "), mention.start, mention.end);
      if (after === " ") textarea.selectionStart = textarea.selectionEnd = textarea.selectionStart + 1;
      closeList();
    }

    function showList(results, found) {
      list.textContent = "";
      options = [];
      if (!results.length) { closeList(); return; }
      mention = found;
      results.forEach(function (member, i) {
        const li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.className = "composer__option";
        let picture;
        if (member.avatar) {
          picture = document.createElement("img");
          picture.src = member.avatar;
          picture.alt = "";
          picture.width = 24;
          picture.height = 24;
        } else {
          picture = document.createElement("span");
          picture.setAttribute("aria-hidden", "true");
          picture.textContent = member.initials || "";
        }
        picture.className = "composer__avatar";
        const name = document.createElement("bdi");
        name.className = "composer__name";
        name.textContent = member.name;
        const handle = document.createElement("span");
        handle.className = "composer__handle";
        handle.textContent = "@" + member.username;
        li.append(picture, name, " ", handle);
        li.addEventListener("mousedown", function (event) { event.preventDefault(); pick(i); });
        list.append(li);
        options.push({ el: li, username: member.username });
      });
      // Under the caret: physical left/top, since the caret's place is measured from the left
      // in right-to-left text too.
      const caret = caretPosition(textarea);
      const boxRect = box.getBoundingClientRect();
      const areaRect = textarea.getBoundingClientRect();
      list.hidden = false;
      const room = Math.max(0, textarea.clientWidth - list.offsetWidth);
      list.style.top = (areaRect.top - boxRect.top + caret.top + caret.line + 4) + "px";
      list.style.right = "auto";
      list.style.left = (areaRect.left - boxRect.left + Math.max(0, Math.min(caret.left, room))) + "px";
      highlight(0);
    }

    function lookForMention() {
      if (!box.dataset.suggestUrl) return;
      if (textarea.selectionStart !== textarea.selectionEnd) { closeList(); return; }
      const caret = textarea.selectionStart;
      const match = MENTION_BEFORE_CARET.exec(textarea.value.slice(Math.max(0, caret - 40), caret));
      if (!match) { closeList(); return; }
      const query = match[2];
      const found = { start: caret - query.length - 1, end: caret };
      if (cache[query]) { showList(cache[query], found); return; }
      window.clearTimeout(suggestTimer);
      suggestTimer = window.setTimeout(function () {
        if (suggestRequest) suggestRequest.abort();
        suggestRequest = new AbortController();
        fetch(box.dataset.suggestUrl + "?q=" + encodeURIComponent(query), {
          credentials: "same-origin", signal: suggestRequest.signal, headers: { "X-Requested-With": "fetch" },
        })
          .then(function (response) { if (!response.ok) throw new Error(response.status); return response.json(); })
          .then(function (data) {
            cache[query] = data.results || [];
            // Only if the member is still typing that name.
            if (textarea.selectionStart === caret && document.activeElement === textarea) showList(cache[query], found);
          })
          .catch(function () { /* no suggestions: the plain @name still works */ });
      }, 150);
    }

    textarea.addEventListener("keydown", function (event) {
      if (list.hidden || !options.length) return;
      if (event.key === "ArrowDown") { event.preventDefault(); highlight((active + 1) % options.length); }
      else if (event.key === "ArrowUp") { event.preventDefault(); highlight((active - 1 + options.length) % options.length); }
      else if (event.key === "Enter" || event.key === "Tab") { if (active >= 0) { event.preventDefault(); pick(active); } }
      else if (event.key === "Escape") { event.preventDefault(); event.stopPropagation(); closeList(); }
    });
    textarea.addEventListener("blur", function () { window.setTimeout(closeList, 150); });
    textarea.addEventListener("click", lookForMention);

    textarea.addEventListener("input", function () {
      followReplyTarget();
      scheduleSave();
      schedulePreview();
      lookForMention();
    });

    restoreDraft();
  }

  settleSentDraft();
  forgetOldDrafts();
  document.querySelectorAll("[data-composer]").forEach(Composer);
})();
