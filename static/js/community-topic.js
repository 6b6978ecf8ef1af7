// Live topic page: replies posted while the page is open announce themselves ("2 new replies")
// and load in place when the reader asks, without reloading. On another page than the last, the
// button jumps to the first unread post instead. Reconnects with backoff.
(function () {
  "use strict";
  const list = document.querySelector("[data-topic-posts]");
  if (!list || !("WebSocket" in window)) return;
  const box = document.querySelector("[data-new-replies]");
  const button = document.querySelector("[data-new-replies-button]");
  const live = document.querySelector("[data-new-replies-live]");
  const appendHere = list.dataset.live === "append";
  // On an earlier page, only replies posted from now on are news.
  let shown = appendHere ? Number(list.dataset.lastNumber || 0) : Number(list.dataset.topicLast || 0);
  let newest = shown;
  let attempt = 0;
  let loading = false;

  function waiting() { return newest - shown; }

  function announce() {
    const count = waiting();
    if (count <= 0) { box.hidden = true; return; }
    const text = count === 1 ? button.dataset.one : button.dataset.many.replace("%(count)s", count);
    button.textContent = text;
    box.hidden = false;
    live.textContent = text;
  }

  function load() {
    if (!appendHere) { window.location.href = button.dataset.unreadUrl; return; }
    if (loading) return;
    loading = true;
    fetch(list.dataset.fragmentUrl + "?after=" + shown, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { if (!response.ok) throw new Error(response.status); return response.text(); })
      .then(function (html) {
        const holder = document.createElement("div");
        holder.innerHTML = html;  // rendered by the server through hub.markup: sanitized
        let first = null;
        holder.querySelectorAll("article.post").forEach(function (post) {
          const number = Number(post.dataset.number);
          if (number <= shown || document.getElementById("p" + number)) return;
          post.classList.add("post--fresh");
          list.append(post);
          shown = Math.max(shown, number);
          first = first || post;
        });
        announce();
        if (first) {
          first.setAttribute("tabindex", "-1");
          first.focus({ preventScroll: false });
        }
      })
      .catch(function () { window.location.href = button.dataset.unreadUrl; })
      .finally(function () { loading = false; if (waiting() > 0 && appendHere) announce(); });
  }

  button.addEventListener("click", load);

  function connect() {
    const scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    const socket = new WebSocket(scheme + window.location.host + list.dataset.socketPath);
    socket.addEventListener("open", function () { attempt = 0; list.dataset.socket = "connected"; });
    socket.addEventListener("message", function (event) {
      let data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      if (data.type === "post" && data.number > newest) {
        newest = data.number;
        announce();
      }
    });
    socket.addEventListener("close", function (event) {
      list.dataset.socket = "closed";
      if (event.code === 4401 || event.code === 4403) return;
      attempt += 1;
      window.setTimeout(connect, Math.min(30000, 1000 * Math.pow(2, attempt)));
    });
  }
  announce();
  connect();
})();
