// Live notifications: the bell's count and list follow the member's socket, in every open tab.
// Reconnects with backoff; on every (re)connect asks for what it missed since the newest id it has
// ("hello" with last_id). The server answers with every missed notification, oldest first, in
// "sync" pages of up to 100 ("more": true on all but the last), and also sends a "sync" by itself
// after re-joining once Redis is back. Any notification already shown is ignored, so nothing is
// lost and nothing is shown twice; the badge takes the server's unread count from each page.
(function () {
  "use strict";
  const root = document.querySelector("[data-notifications]");
  if (!root || !("WebSocket" in window)) return;

  const button = root.querySelector(".bell__button");
  const panel = root.querySelector(".bell__panel");
  const list = root.querySelector("[data-notification-list]");
  const badge = root.querySelector("[data-unread-count]");
  const label = root.querySelector("[data-bell-label]");
  const live = root.querySelector("[data-live-region]");
  const markAll = root.querySelector("[data-mark-all]");
  const csrf = markAll ? markAll.querySelector("input[name=csrfmiddlewaretoken]").value : "";
  const maxItems = 6;

  const seen = new Set();
  let lastId = Number(root.dataset.lastId || 0);
  let unread = Number(badge.textContent || 0);
  let socket = null;
  let attempt = 0;
  let reconnectTimer = null;

  list.querySelectorAll("[data-id]").forEach(function (item) { seen.add(Number(item.dataset.id)); });

  function setUnread(count) {
    unread = Math.max(0, count);
    badge.textContent = String(unread);
    badge.hidden = unread === 0;
    label.textContent = unread
      ? button.dataset.labelSome.replace("%(count)s", unread)
      : button.dataset.labelZero;
    root.dataset.unread = String(unread);
    document.querySelectorAll("[data-notification-page] .notification--unread, [data-notification-list] .notification--unread")
      .forEach(function (item) { if (unread === 0) item.classList.remove("notification--unread"); });
  }

  function render(notification) {
    const item = document.createElement("li");
    item.className = "notification" + (notification.read ? "" : " notification--unread");
    item.dataset.id = String(notification.id);
    const link = document.createElement("a");
    link.className = "notification__link";
    link.href = "/notifications/" + notification.id + "/open/";
    const text = document.createElement("span");
    text.className = "notification__text";
    text.textContent = notification.text;  // text only: nothing a user typed runs as HTML
    const meta = document.createElement("span");
    meta.className = "notification__meta";
    const when = new Date(notification.created).toLocaleString(document.documentElement.lang || undefined);
    meta.textContent = (notification.kind_label ? notification.kind_label + " · " : "") + when;
    link.append(text, meta);
    item.append(link);
    return item;
  }

  function add(notification, announce) {
    if (seen.has(notification.id)) return false;
    seen.add(notification.id);
    lastId = Math.max(lastId, notification.id);
    const empty = list.querySelector("[data-empty]");
    if (empty) empty.remove();
    list.prepend(render(notification));
    while (list.children.length > maxItems) list.lastElementChild.remove();
    if (announce) live.textContent = notification.text;
    return !notification.read;
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + root.dataset.socketPath);
    socket.addEventListener("open", function () {
      root.dataset.live = "connected";
      socket.send(JSON.stringify({ type: "hello", last_id: lastId }));
    });
    socket.addEventListener("message", function (event) {
      let message;
      try { message = JSON.parse(event.data); } catch (e) { return; }
      if (message.type === "notification") {
        if (add(message.notification, true)) setUnread(unread + 1);
      } else if (message.type === "sync") {
        attempt = 0;  // served, not just accepted: the next drop starts the backoff afresh
        message.notifications.forEach(function (n) { add(n, false); });
        setUnread(message.unread);
        root.dataset.live = message.more ? "syncing" : "connected";
      } else if (message.type === "read") {
        setUnread(message.unread);
      }
    });
    socket.addEventListener("close", function (event) {
      root.dataset.live = "disconnected";
      if (event.code === 4401) return;  // signed out: no point retrying
      // Exponential backoff with jitter, capped at 30 s, so a restarted server is not stampeded.
      const delay = Math.min(30000, 1000 * Math.pow(2, attempt)) * (0.5 + Math.random() / 2);
      attempt += 1;
      clearTimeout(reconnectTimer);
      reconnectTimer = setTimeout(connect, delay);
    });
  }

  function setOpen(open) {
    panel.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
  }

  button.addEventListener("click", function (event) {
    event.preventDefault();
    setOpen(panel.hidden);
  });
  document.addEventListener("click", function (event) {
    if (!root.contains(event.target)) setOpen(false);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !panel.hidden) { setOpen(false); button.focus(); }
  });

  if (markAll) {
    markAll.addEventListener("submit", function (event) {
      event.preventDefault();
      fetch(markAll.action, {
        method: "POST",
        headers: { "X-CSRFToken": csrf, Accept: "application/json" },
        credentials: "same-origin",
      }).then(function (response) {
        if (!response.ok) throw new Error(response.statusText);
        list.querySelectorAll(".notification--unread").forEach(function (item) {
          item.classList.remove("notification--unread");
        });
        setUnread(0);
      }).catch(function () { markAll.submit(); });
    });
  }

  window.addEventListener("online", function () {
    if (!socket || socket.readyState === WebSocket.CLOSED) { attempt = 0; connect(); }
  });
  connect();
})();
