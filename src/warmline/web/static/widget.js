/*
 * Warmline chat widget.
 *
 * Embed with a single tag:
 *   <script src="https://support.example.com/widget.js" data-open="true" defer></script>
 *
 * Optional attributes on the script tag:
 *   data-open="true"          start with the panel open (docked larger on wide screens)
 *   data-api="https://..."    API base URL (defaults to the folder widget.js was loaded from)
 *   data-customer-name / data-customer-email
 *                             passed as `customer` when a new conversation is created
 *
 * Dependency-free, no build step. Server text is always rendered with textContent.
 */
(function () {
  "use strict";

  if (window.Warmline && window.Warmline.__loaded) return;

  // ---------------------------------------------------------------- config

  const SCRIPT = document.currentScript || findOwnScript();

  function findOwnScript() {
    const scripts = document.getElementsByTagName("script");
    for (let i = scripts.length - 1; i >= 0; i--) {
      if (/\/widget\.js(?:[?#]|$)/.test(scripts[i].src || "")) return scripts[i];
    }
    return null;
  }

  function computeBase(src) {
    try {
      const u = new URL(src, window.location.href);
      return (u.origin + u.pathname.replace(/[^/]*$/, "")).replace(/\/+$/, "");
    } catch (e) {
      return window.location.origin;
    }
  }

  function attr(name) {
    return SCRIPT ? SCRIPT.getAttribute(name) : null;
  }

  const BASE = computeBase(SCRIPT && SCRIPT.src ? SCRIPT.src : "/widget.js");
  const API = (attr("data-api") || BASE).replace(/\/+$/, "");
  const AUTO_OPEN = (attr("data-open") || "").toLowerCase() === "true";
  const STORAGE_KEY = "warmline.conversation";
  const MAX_LEN = 4000;
  const COUNTER_FROM = 3500;
  const BACKOFF_MS = [1000, 2000, 5000, 10000];

  const STATUS = {
    ai: "AI assistant",
    connecting: "Connecting you to a person\u2026",
    waiting: "Waiting for a person",
  };
  const HANDOFF_LABEL = "Talk to a person";
  const HANDOFF_DONE_LABEL = "Person requested";

  // ---------------------------------------------------------------- state

  const state = {
    conv: null, // {id, token}
    ready: false,
    initPromise: null,
    initNotice: null,
    sending: false,
    handoffBusy: false,
    mode: "ai", // "ai" | "connecting" | "waiting" | "agent"
    lastAgentName: null,
    shown: new Map(), // message id -> element
    locals: [], // optimistic customer messages: {node, text, settled}
    open: false,
    unread: 0,
    stream: { ctrl: null, timer: null, attempt: 0, hadDrop: false, dead: false },
  };

  // ---------------------------------------------------------------- helpers

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    if (attrs) {
      for (const key of Object.keys(attrs)) {
        const value = attrs[key];
        if (value === null || value === undefined || value === false) continue;
        if (key === "class") node.className = value;
        else if (key === "text") node.textContent = value;
        else if (key.slice(0, 2) === "on" && typeof value === "function") {
          node.addEventListener(key.slice(2), value);
        } else node.setAttribute(key, value === true ? "" : String(value));
      }
    }
    if (children) {
      for (const child of children) {
        if (child === null || child === undefined || child === false) continue;
        node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
      }
    }
    return node;
  }

  const SVG_NS = "http://www.w3.org/2000/svg";
  function icon(paths, cls) {
    const s = document.createElementNS(SVG_NS, "svg");
    s.setAttribute("viewBox", "0 0 24 24");
    s.setAttribute("width", "20");
    s.setAttribute("height", "20");
    s.setAttribute("fill", "none");
    s.setAttribute("stroke", "currentColor");
    s.setAttribute("stroke-width", "2");
    s.setAttribute("stroke-linecap", "round");
    s.setAttribute("stroke-linejoin", "round");
    s.setAttribute("aria-hidden", "true");
    s.setAttribute("focusable", "false");
    if (cls) s.setAttribute("class", cls);
    for (const d of paths) {
      const p = document.createElementNS(SVG_NS, "path");
      p.setAttribute("d", d);
      s.appendChild(p);
    }
    return s;
  }

  const ICONS = {
    chat: ["M21 11.5a8.4 8.4 0 0 1-9 8.4 9 9 0 0 1-3.9-.9L3 20.5l1.5-4.6A8 8 0 0 1 3.5 11.5 8.4 8.4 0 0 1 12.2 3 8.4 8.4 0 0 1 21 11.5z"],
    close: ["M6 6l12 12", "M18 6L6 18"],
    minimise: ["M6 9l6 6 6-6"],
    person: ["M20 21a8 8 0 0 0-16 0", "M12 13a4.5 4.5 0 1 0 0-9 4.5 4.5 0 0 0 0 9z"],
    leaf: ["M5 19c0-8 5-14 14-14 0 9-6 14-14 14z", "M5 19l7-7"],
  };

  function loadSaved() {
    try {
      const raw = window.localStorage.getItem(STORAGE_KEY);
      if (!raw) return null;
      const v = JSON.parse(raw);
      if (v && typeof v.id === "string" && typeof v.token === "string" && v.id && v.token) {
        return { id: v.id, token: v.token };
      }
    } catch (e) {
      /* storage unavailable or corrupt */
    }
    return null;
  }

  function save(conv) {
    try {
      window.localStorage.setItem(STORAGE_KEY, JSON.stringify({ id: conv.id, token: conv.token }));
    } catch (e) {
      /* private mode: the chat still works for this page view */
    }
  }

  function clearSaved() {
    try {
      window.localStorage.removeItem(STORAGE_KEY);
    } catch (e) {
      /* ignore */
    }
  }

  function formatTime(iso) {
    if (!iso) return "";
    const d = new Date(iso);
    if (isNaN(d.getTime())) return "";
    try {
      return d.toLocaleTimeString([], { hour: "numeric", minute: "2-digit" });
    } catch (e) {
      return d.toTimeString().slice(0, 5);
    }
  }

  function safeHref(src) {
    if (!src || typeof src !== "string") return null;
    try {
      const u = new URL(src, BASE + "/");
      if (u.protocol === "http:" || u.protocol === "https:") return u.href;
    } catch (e) {
      /* not a URL */
    }
    return null;
  }

  /** Appends text to parent, turning bare http(s) URLs into safe links. */
  function appendRichText(parent, text) {
    const str = String(text == null ? "" : text);
    const re = /\bhttps?:\/\/[^\s<>"']+/gi;
    let last = 0;
    let m;
    while ((m = re.exec(str))) {
      let url = m[0];
      const trail = /[.,!?;:)\]]+$/.exec(url);
      if (trail) url = url.slice(0, url.length - trail[0].length);
      if (m.index > last) parent.appendChild(document.createTextNode(str.slice(last, m.index)));
      const href = safeHref(url);
      if (href) {
        parent.appendChild(
          el("a", { href: href, target: "_blank", rel: "noopener noreferrer", class: "wl-link", text: url })
        );
      } else {
        parent.appendChild(document.createTextNode(url));
      }
      last = m.index + url.length;
      re.lastIndex = last;
    }
    if (last < str.length) parent.appendChild(document.createTextNode(str.slice(last)));
  }

  // ---------------------------------------------------------------- API

  class ApiError extends Error {
    constructor(status, code, message, details) {
      super(message);
      this.status = status;
      this.code = code;
      this.details = details || null;
    }
  }

  function fallbackMessage(status) {
    if (status === 429) return "You're sending messages quickly. Please wait a moment and try again.";
    if (status >= 500) return "Our support service is having trouble right now. Please try again in a moment.";
    return "The chat service isn't available right now (error " + status + "). Please try again in a moment.";
  }

  async function api(method, path, body, opts) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const useAuth = !(opts && opts.noAuth);
    if (useAuth && state.conv) headers.Authorization = "Bearer " + state.conv.token;
    let res;
    try {
      res = await fetch(API + path, {
        method: method,
        headers: headers,
        body: body !== undefined ? JSON.stringify(body) : undefined,
        cache: "no-store",
      });
    } catch (e) {
      throw new ApiError(
        0,
        "network_error",
        "We couldn't reach our support service. Check your connection and try again."
      );
    }
    let data = null;
    try {
      const raw = await res.text();
      data = raw ? JSON.parse(raw) : null;
    } catch (e) {
      data = null;
    }
    if (!res.ok) {
      const err = (data && data.error) || {};
      throw new ApiError(
        res.status,
        err.code || "http_" + res.status,
        typeof err.message === "string" && err.message ? err.message : fallbackMessage(res.status),
        err.details
      );
    }
    return data;
  }

  function convPath(suffix) {
    return "/v1/conversations/" + encodeURIComponent(state.conv.id) + (suffix || "");
  }

  // ---------------------------------------------------------------- DOM

  const srNewTab = el("span", { id: "wl-newtab-note", class: "wl-sr", text: "(opens in a new tab)" });

  const badge = el("span", { class: "wl-badge", hidden: true, "aria-hidden": "true" });
  const launcher = el(
    "button",
    {
      type: "button",
      class: "wl-launcher",
      "data-testid": "wl-launcher",
      "aria-controls": "wl-panel",
      "aria-expanded": "false",
      "aria-label": "Open Juniper Lane support chat",
    },
    [icon(ICONS.chat, "wl-launcher-open"), icon(ICONS.close, "wl-launcher-close"), badge]
  );

  const statusEl = el("p", {
    class: "wl-status",
    "data-testid": "wl-status",
    "data-mode": "ai",
    role: "status",
    "aria-live": "polite",
    text: STATUS.ai,
  });

  const handoffBtn = el("button", {
    type: "button",
    class: "wl-handoff",
    "data-testid": "wl-handoff",
    text: HANDOFF_LABEL,
  });

  const closeBtn = el(
    "button",
    { type: "button", class: "wl-icon-btn", "aria-label": "Minimise chat", title: "Minimise chat" },
    [icon(ICONS.minimise)]
  );

  const header = el("header", { class: "wl-header" }, [
    el("div", { class: "wl-header-top" }, [
      el("span", { class: "wl-avatar", "aria-hidden": "true" }, [icon(ICONS.leaf)]),
      el("div", { class: "wl-titles" }, [
        el("h2", { class: "wl-title", id: "wl-title", text: "Juniper Lane support" }),
        el("p", { class: "wl-subtitle", text: "AI assistant \u00b7 a person is one click away" }),
      ]),
      closeBtn,
    ]),
    el("div", { class: "wl-header-bar" }, [statusEl, handoffBtn]),
  ]);

  const messagesEl = el("div", {
    class: "wl-messages",
    "data-testid": "wl-messages",
    role: "log",
    "aria-live": "polite",
    "aria-relevant": "additions",
    "aria-label": "Conversation",
  });

  const typingEl = el("div", { class: "wl-typing", hidden: true, role: "status" }, [
    el("span", { class: "wl-typing-dots", "aria-hidden": "true" }, [
      el("span", {}),
      el("span", {}),
      el("span", {}),
    ]),
    el("span", { class: "wl-sr", text: "Juniper Lane support is typing\u2026" }),
  ]);

  const scroller = el("div", { class: "wl-scroll" }, [messagesEl, typingEl]);

  const input = el("textarea", {
    id: "wl-input",
    class: "wl-input",
    "data-testid": "wl-input",
    rows: "1",
    maxlength: String(MAX_LEN),
    placeholder: "Ask a question\u2026",
    autocomplete: "off",
    "aria-describedby": "wl-hint wl-counter",
  });

  const sendBtn = el("button", { type: "submit", class: "wl-send", "data-testid": "wl-send" }, [
    el("span", { text: "Send" }),
  ]);

  const counterEl = el("span", { id: "wl-counter", class: "wl-counter", hidden: true });

  const form = el("form", { class: "wl-composer", novalidate: true }, [
    el("label", { for: "wl-input", class: "wl-sr", text: "Your message" }),
    el("div", { class: "wl-composer-row" }, [input, sendBtn]),
    el("div", { class: "wl-composer-meta" }, [
      el("span", { id: "wl-hint", class: "wl-hint", text: "Enter to send \u00b7 Shift+Enter for a new line" }),
      counterEl,
    ]),
  ]);

  const footer = el("footer", { class: "wl-footer" }, [
    el("span", { text: "AI answers can be wrong \u00b7 Powered by Warmline" }),
  ]);

  const panel = el(
    "section",
    {
      id: "wl-panel",
      class: "wl-panel",
      "data-testid": "wl-panel",
      "aria-labelledby": "wl-title",
      hidden: true,
    },
    [header, scroller, form, footer, srNewTab]
  );

  const root = el("div", { class: "wl-root" + (AUTO_OPEN ? " wl-docked" : ""), id: "warmline-widget", lang: "en" }, [
    panel,
    launcher,
  ]);

  // Hide until our stylesheet has loaded, so the host page never sees an unstyled flash.
  root.style.display = "none";
  function reveal() {
    root.style.display = "";
  }

  function injectStylesheet() {
    const href = BASE + "/widget.css";
    const existing = Array.prototype.find.call(
      document.querySelectorAll('link[rel="stylesheet"]'),
      (l) => l.href === href || l.hasAttribute("data-warmline")
    );
    if (existing) {
      reveal();
      return;
    }
    const link = el("link", { rel: "stylesheet", href: href, "data-warmline": "true" });
    link.addEventListener("load", reveal);
    link.addEventListener("error", reveal);
    window.setTimeout(reveal, 3000);
    (document.head || document.documentElement).appendChild(link);
  }

  // ---------------------------------------------------------------- scrolling

  function nearBottom() {
    return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 96;
  }

  function scrollToBottom(force) {
    if (force || nearBottom()) {
      window.requestAnimationFrame(() => {
        scroller.scrollTop = scroller.scrollHeight;
      });
    }
  }

  // ---------------------------------------------------------------- messages

  function roleLabel(m) {
    if (m.role === "ai") return "AI assistant";
    if (m.role === "agent") return m.author_name || "Support agent";
    return "";
  }

  function renderCitations(citations) {
    if (!Array.isArray(citations) || citations.length === 0) return null;
    const seen = new Set();
    const box = el("div", { class: "wl-citations" }, [el("span", { class: "wl-citations-label", text: "Sources:" })]);
    let count = 0;
    for (const c of citations) {
      if (!c) continue;
      const title = String(c.title || c.source || "Source");
      const key = title + "\u0000" + (c.source || "");
      if (seen.has(key)) continue;
      seen.add(key);
      const href = safeHref(c.source);
      const tip = [c.section, c.snippet].filter(Boolean).join(" \u2014 ");
      let node;
      if (href) {
        node = el("a", {
          class: "wl-citation",
          href: href,
          target: "_blank",
          rel: "noopener",
          title: tip || null,
          "aria-describedby": "wl-newtab-note",
          text: title,
        });
      } else {
        node = el("span", { class: "wl-citation wl-citation-plain", title: tip || null, text: title });
      }
      box.appendChild(node);
      count++;
    }
    return count ? box : null;
  }

  function renderMessage(m) {
    const role = ["customer", "ai", "agent", "system"].indexOf(m.role) >= 0 ? m.role : "system";
    const node = el("div", { class: "wl-msg wl-msg-" + role, "data-role": role, "data-id": m.id });
    if (role === "ai" || role === "agent") node.appendChild(el("span", { class: "wl-author", text: roleLabel(m) }));

    const bubble = el("div", { class: "wl-bubble" });
    const text = el("p", { class: "wl-text" });
    appendRichText(text, m.text);
    bubble.appendChild(text);
    if (role === "ai" || role === "agent") {
      const cites = renderCitations(m.citations);
      if (cites) bubble.appendChild(cites);
    }
    node.appendChild(bubble);

    if (role !== "system") {
      const time = formatTime(m.created_at);
      const meta = el("div", { class: "wl-meta" });
      if (time) meta.appendChild(el("time", { datetime: m.created_at, text: time }));
      node.appendChild(meta);
    }
    return node;
  }

  function insertNode(node) {
    messagesEl.appendChild(node);
  }

  function noteUnread(m) {
    if (!state.open && m.role !== "customer") {
      state.unread++;
      updateBadge();
    }
  }

  /** Adds a server message unless one with the same id is already shown. */
  function addMessage(m, opts) {
    if (!m || typeof m !== "object" || !m.id) return null;
    const existing = state.shown.get(m.id);
    if (existing) return existing;
    if (m.role === "customer") {
      const adopted = adoptLocal(m);
      if (adopted) return adopted;
    }
    if (m.role === "agent" && m.author_name) state.lastAgentName = m.author_name;
    const stick = nearBottom() || m.role === "customer";
    const node = renderMessage(m);
    insertNode(node);
    state.shown.set(m.id, node);
    if (!(opts && opts.history)) noteUnread(m);
    scrollToBottom(stick || (opts && opts.history));
    return node;
  }

  /** Optimistic customer message, shown before the server confirms it. */
  function addLocal(text) {
    const tmpId = "local-" + Date.now().toString(36) + Math.random().toString(36).slice(2, 7);
    const node = renderMessage({ id: tmpId, role: "customer", text: text, created_at: new Date().toISOString() });
    node.classList.add("wl-pending");
    const meta = node.querySelector(".wl-meta");
    meta.textContent = "";
    meta.appendChild(el("span", { class: "wl-sending", text: "Sending\u2026" }));
    insertNode(node);
    const local = { node: node, text: text, settled: false, failed: false };
    state.locals.push(local);
    scrollToBottom(true);
    return local;
  }

  function dropLocal(local) {
    const i = state.locals.indexOf(local);
    if (i >= 0) state.locals.splice(i, 1);
  }

  /** Swap an optimistic element for the server's message (keeps its position). */
  function confirmLocal(local, m) {
    dropLocal(local);
    if (!m || !m.id) {
      settleLocal(local);
      return;
    }
    if (!local.node.isConnected) return;
    if (state.shown.has(m.id)) {
      local.node.remove();
      return;
    }
    const node = renderMessage(m);
    local.node.replaceWith(node);
    state.shown.set(m.id, node);
  }

  /** Saved by the server but we didn't get the message object back. */
  function settleLocal(local) {
    if (!local.node.isConnected) return; // already replaced by the server's copy (SSE)
    local.node.classList.remove("wl-pending");
    const meta = local.node.querySelector(".wl-meta");
    meta.textContent = "";
    meta.appendChild(el("time", { text: formatTime(new Date().toISOString()) }));
    // stays in state.locals (unsettled-by-id) so the SSE echo can adopt it
    local.settled = true;
    if (state.locals.indexOf(local) < 0) state.locals.push(local);
  }

  function adoptLocal(m) {
    const text = String(m.text || "").trim();
    const local = state.locals.find((l) => !l.failed && l.text.trim() === text && l.node.isConnected);
    if (!local) return null;
    dropLocal(local);
    const node = renderMessage(m);
    local.node.replaceWith(node);
    state.shown.set(m.id, node);
    return node;
  }

  function failLocal(local) {
    dropLocal(local);
    local.failed = true;
    const node = local.node;
    node.classList.remove("wl-pending");
    node.classList.add("wl-failed");
    const meta = node.querySelector(".wl-meta");
    meta.textContent = "";
    meta.appendChild(el("span", { class: "wl-failed-note", text: "Not sent" }));
    meta.appendChild(
      el("button", {
        type: "button",
        class: "wl-linkbtn",
        text: "Retry",
        onclick: () => {
          if (state.sending) return;
          node.remove();
          sendText(local.text);
        },
      })
    );
  }

  function showNotice(text, opts) {
    const node = el("div", { class: "wl-notice" + (opts && opts.kind ? " wl-notice-" + opts.kind : ""), role: "note" }, [
      el("span", { class: "wl-notice-text", text: text }),
    ]);
    if (opts && opts.action) {
      node.appendChild(
        el("button", { type: "button", class: "wl-linkbtn", text: opts.action.label, onclick: opts.action.fn })
      );
    }
    insertNode(node);
    scrollToBottom(true);
    return node;
  }

  function showTyping(on) {
    typingEl.hidden = !on;
    if (on) scrollToBottom(false);
  }

  // ---------------------------------------------------------------- feedback

  function clearFeedback() {
    for (const n of messagesEl.querySelectorAll(".wl-feedback:not([data-done]), .wl-topics")) n.remove();
  }

  // The topics a clarifying question offers, as buttons: pressing one sends its name.
  function attachTopics(messageId, topics) {
    const node = state.shown.get(messageId);
    if (!node || node.querySelector(".wl-topics")) return;
    const box = el("div", { class: "wl-feedback wl-topics", role: "group", "aria-label": "Pick a topic" });
    box.setAttribute("data-testid", "wl-topics");
    for (const topic of topics.slice(0, 3)) {
      box.appendChild(
        el("button", {
          type: "button",
          class: "wl-chip",
          text: String(topic),
          onclick: () => {
            box.remove();
            sendText(String(topic));
          },
        })
      );
    }
    node.appendChild(box);
    scrollToBottom(true);
  }

  function attachFeedback(messageId) {
    clearFeedback();
    const node = state.shown.get(messageId);
    if (!node) return;
    const yes = el("button", { type: "button", class: "wl-chip", text: "This solved it" });
    const no = el("button", { type: "button", class: "wl-chip", text: "Still need help" });
    const box = el("div", { class: "wl-feedback", role: "group", "aria-label": "Did this answer help?" }, [
      yes,
      no,
    ]);

    async function submit(resolved) {
      yes.disabled = true;
      no.disabled = true;
      try {
        await api("POST", convPath("/feedback"), { resolved: resolved });
      } catch (e) {
        yes.disabled = false;
        no.disabled = false;
        showNotice(e.message, { kind: "error" });
        return;
      }
      box.setAttribute("data-done", "true");
      box.textContent = "";
      if (resolved) {
        box.appendChild(el("span", { class: "wl-feedback-done", text: "Thanks!" }));
      } else {
        const requested = handoffBtn.disabled;
        box.appendChild(
          el("span", {
            class: "wl-feedback-done",
            text: requested
              ? "Sorry that didn't help. A person from our team will pick this up."
              : "Sorry that didn't help. Try asking another way, or talk to a person from our team.",
          })
        );
        if (!requested) {
          box.appendChild(
            el("button", { type: "button", class: "wl-chip wl-chip-strong", text: HANDOFF_LABEL, onclick: requestHandoff })
          );
          highlightHandoff(true);
        }
      }
      if (typeof box.scrollIntoView === "function") box.scrollIntoView({ block: "nearest" });
      input.focus({ preventScroll: true });
    }

    yes.addEventListener("click", () => submit(true));
    no.addEventListener("click", () => submit(false));
    node.appendChild(box);
    scrollToBottom(false);
  }

  // ---------------------------------------------------------------- status / ownership

  function setStatus(mode, text) {
    state.mode = mode;
    statusEl.setAttribute("data-mode", mode);
    if (statusEl.textContent !== text) statusEl.textContent = text;
  }

  function setHandoffRequested(requested) {
    handoffBtn.disabled = requested;
    handoffBtn.textContent = requested ? HANDOFF_DONE_LABEL : HANDOFF_LABEL;
    if (requested) highlightHandoff(false);
  }

  function highlightHandoff(on) {
    handoffBtn.classList.toggle("wl-attention", !!on && !handoffBtn.disabled);
  }

  function ownerKind(owner) {
    if (owner === null || owner === undefined || owner === "") return null;
    const o = String(owner).toLowerCase();
    if (o === "ai" || o === "bot" || o === "assistant") return "ai";
    if (/^(queue|queued|pending|waiting|none|unassigned|handoff|human_pending)$/.test(o)) return "waiting";
    return "agent";
  }

  function agentStatusText(name) {
    return "You're chatting with " + (name || state.lastAgentName || "a support agent");
  }

  /**
   * Applies {owner, status, owner_name?} from a conversation object or a
   * `conversation` event. `initial` is true when restoring a conversation.
   */
  function applyOwnership(info, initial) {
    if (!info) return;
    const kind = ownerKind(info.owner);
    const name = info.owner_name || info.agent_name || null;
    const status = String(info.status || "").toLowerCase();
    const waitingStatus = /handoff|wait|queue|pending|escalat/.test(status);
    // Handed off but not yet claimed: the API says the owner is the team ("agent") while
    // the status says it waits for a person; nobody is chatting with the customer yet.
    if (kind === "agent" && !waitingStatus) {
      if (name) state.lastAgentName = name;
      setStatus("agent", agentStatusText(name));
      setHandoffRequested(true);
    } else if (kind === "waiting" || waitingStatus) {
      if (state.mode !== "connecting" || initial) setStatus("waiting", STATUS.waiting);
      setHandoffRequested(true);
    } else if (kind === "ai") {
      const handedBack = state.mode === "agent" || /released|returned/.test(status);
      if (initial || handedBack) {
        setStatus("ai", STATUS.ai);
        setHandoffRequested(false);
      }
    }
  }

  // ---------------------------------------------------------------- conversation lifecycle

  function renderHistory(messages) {
    if (!Array.isArray(messages)) return;
    messagesEl.setAttribute("aria-busy", "true");
    for (const m of messages) addMessage(m, { history: true });
    messagesEl.setAttribute("aria-busy", "false");
    // Only the last message can still offer topics (the API lists them on no other).
    const last = messages[messages.length - 1];
    if (last && last.role === "ai" && Array.isArray(last.topics) && last.topics.length) {
      attachTopics(last.id, last.topics);
    }
    scrollToBottom(true);
  }

  async function initConversation() {
    const saved = loadSaved();
    if (saved) {
      state.conv = saved;
      try {
        const c = await api("GET", convPath());
        renderHistory(c.messages);
        applyOwnership(c, true);
        startStream();
        return state.conv;
      } catch (e) {
        if (e.status === 401 || e.status === 403 || e.status === 404) {
          clearSaved();
          state.conv = null;
        } else {
          throw e; // keep the saved conversation; the user can retry
        }
      }
    }
    const body = { channel: "web", customer: {} };
    const cname = attr("data-customer-name");
    const cemail = attr("data-customer-email");
    if (cname) body.customer.name = cname;
    if (cemail) body.customer.email = cemail;
    const created = await api("POST", "/v1/conversations", body, { noAuth: true });
    if (!created || !created.id || !created.token) {
      throw new ApiError(0, "bad_response", "We couldn't start the chat. Please try again in a moment.");
    }
    state.conv = { id: created.id, token: created.token };
    save(state.conv);
    renderHistory(created.messages);
    applyOwnership(created, true);
    startStream();
    return state.conv;
  }

  const loadingEl = el("div", { class: "wl-loading", text: "Starting chat\u2026" });

  function ensureConversation() {
    if (state.ready && state.conv) return Promise.resolve(state.conv);
    if (!state.initPromise) {
      if (!messagesEl.querySelector(".wl-msg")) insertNode(loadingEl);
      state.initPromise = initConversation().then(
        (conv) => {
          state.ready = true;
          loadingEl.remove();
          if (state.initNotice) {
            state.initNotice.remove();
            state.initNotice = null;
          }
          return conv;
        },
        (err) => {
          state.initPromise = null;
          loadingEl.remove();
          throw err;
        }
      );
    }
    return state.initPromise;
  }

  function startChat() {
    ensureConversation().catch((err) => {
      if (state.initNotice) state.initNotice.remove();
      state.initNotice = showNotice(err.message, {
        kind: "error",
        action: { label: "Try again", fn: startChat },
      });
    });
  }

  /** The saved conversation is no longer valid (token expired / deleted). */
  function forgetConversation() {
    stopStream();
    clearSaved();
    state.conv = null;
    state.ready = false;
    state.initPromise = null;
    setStatus("ai", STATUS.ai);
    setHandoffRequested(false);
  }

  async function catchUp() {
    if (!state.conv) return;
    try {
      const c = await api("GET", convPath());
      if (Array.isArray(c.messages)) for (const m of c.messages) addMessage(m);
      applyOwnership(c, false);
    } catch (e) {
      /* the stream reconnect will try again */
    }
  }

  // ---------------------------------------------------------------- sending

  function updateCounter() {
    const n = input.value.length;
    if (n >= COUNTER_FROM) {
      counterEl.hidden = false;
      counterEl.textContent = n >= MAX_LEN ? n + " / " + MAX_LEN + " \u00b7 limit reached" : n + " / " + MAX_LEN;
      counterEl.classList.toggle("wl-counter-max", n >= MAX_LEN);
    } else {
      counterEl.hidden = true;
      counterEl.textContent = "";
    }
  }

  function autoGrow() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight, 140) + "px";
  }

  function setSending(on) {
    state.sending = on;
    sendBtn.disabled = on;
    sendBtn.setAttribute("aria-busy", on ? "true" : "false");
  }

  async function sendText(raw) {
    const text = String(raw || "").trim();
    if (!text || state.sending) return;
    if (text.length > MAX_LEN) {
      showNotice("Messages can be up to " + MAX_LEN + " characters. Please shorten yours.", { kind: "error" });
      return;
    }
    setSending(true);
    const local = addLocal(text);
    try {
      try {
        await ensureConversation();
      } catch (e) {
        failLocal(local);
        showNotice(e.message, { kind: "error" });
        return;
      }
      clearFeedback();
      showTyping(state.mode !== "agent");
      let res;
      try {
        res = await api("POST", convPath("/messages"), { text: text });
      } catch (e) {
        if (e.status === 503 && e.code === "reply_failed") {
          const saved = e.details && e.details.message;
          if (saved && saved.id) confirmLocal(local, saved);
          else settleLocal(local);
          showNotice(e.message, { kind: "error" });
          highlightHandoff(true);
        } else if (e.status === 401 || e.status === 404) {
          failLocal(local);
          forgetConversation();
          showNotice("This chat has expired. Press Retry to send your message in a new conversation.", {
            kind: "error",
          });
        } else {
          failLocal(local);
          showNotice(e.message, { kind: "error" });
        }
        return;
      }
      confirmLocal(local, res && res.message);
      const reply = res && res.reply;
      if (reply) {
        if (reply.message) addMessage(reply.message);
        if (reply.decision === "escalate") {
          setStatus("connecting", STATUS.connecting);
        } else if (reply.decision === "clarify" && reply.message && Array.isArray(reply.topics) && reply.topics.length) {
          attachTopics(reply.message.id, reply.topics);
        } else if (reply.decision === "answer" && reply.message && reply.message.role === "ai") {
          attachFeedback(reply.message.id);
        }
      }
    } finally {
      showTyping(false);
      setSending(false);
    }
  }

  function onSubmit(ev) {
    ev.preventDefault();
    if (state.sending) return;
    const text = input.value;
    if (!text.trim()) return;
    input.value = "";
    updateCounter();
    autoGrow();
    sendText(text);
  }

  // ---------------------------------------------------------------- handoff

  async function requestHandoff() {
    if (state.handoffBusy || handoffBtn.disabled) return;
    state.handoffBusy = true;
    handoffBtn.disabled = true;
    handoffBtn.textContent = "Requesting\u2026";
    try {
      await ensureConversation();
      const res = await api("POST", convPath("/handoff"), {});
      if (res && res.message) addMessage(res.message);
      if (state.mode !== "agent") setStatus("waiting", STATUS.waiting);
      setHandoffRequested(true);
      clearFeedback();
      for (const b of messagesEl.querySelectorAll(".wl-feedback .wl-chip-strong")) b.remove();
    } catch (e) {
      setHandoffRequested(false);
      highlightHandoff(true);
      showNotice(e.message, { kind: "error" });
    } finally {
      state.handoffBusy = false;
    }
  }

  // ---------------------------------------------------------------- live updates (SSE over fetch)

  function createSseParser(onEvent) {
    let buffer = "";
    let eventType = "";
    let data = [];

    function processLine(line) {
      if (line === "") {
        if (data.length) onEvent(eventType || "message", data.join("\n"));
        eventType = "";
        data = [];
        return;
      }
      if (line.charAt(0) === ":") return; // comment / heartbeat
      const idx = line.indexOf(":");
      const field = idx < 0 ? line : line.slice(0, idx);
      let value = idx < 0 ? "" : line.slice(idx + 1);
      if (value.charAt(0) === " ") value = value.slice(1);
      if (field === "event") eventType = value;
      else if (field === "data") data.push(value);
      // "id" and "retry" are not needed: we dedupe by message id and use our own backoff.
    }

    return function push(chunk) {
      buffer += chunk;
      let start = 0;
      for (let i = 0; i < buffer.length; i++) {
        const c = buffer.charAt(i);
        if (c !== "\n" && c !== "\r") continue;
        if (c === "\r" && i === buffer.length - 1) break; // wait: could be \r\n split across chunks
        const line = buffer.slice(start, i);
        if (c === "\r" && buffer.charAt(i + 1) === "\n") i++;
        start = i + 1;
        processLine(line);
      }
      buffer = buffer.slice(start);
    };
  }

  function onStreamEvent(type, raw) {
    let data;
    try {
      data = JSON.parse(raw);
    } catch (e) {
      return;
    }
    if (type === "message") {
      addMessage(data);
      if (data && data.role === "agent" && state.mode !== "agent") {
        setStatus("agent", agentStatusText(data.author_name));
        setHandoffRequested(true);
      }
    } else if (type === "conversation") {
      if (data && state.conv && data.id && data.id !== state.conv.id) return;
      applyOwnership(data, false);
    }
  }

  function stopStream() {
    const s = state.stream;
    if (s.timer) window.clearTimeout(s.timer);
    s.timer = null;
    if (s.ctrl) s.ctrl.abort();
    s.ctrl = null;
  }

  function scheduleReconnect() {
    const s = state.stream;
    const delay = BACKOFF_MS[Math.min(s.attempt, BACKOFF_MS.length - 1)];
    s.attempt++;
    s.hadDrop = true;
    s.timer = window.setTimeout(startStream, delay);
  }

  function startStream() {
    stopStream();
    if (!state.conv || typeof fetch !== "function" || typeof AbortController !== "function") return;
    const conv = state.conv;
    const ctrl = new AbortController();
    const s = state.stream;
    s.ctrl = ctrl;

    (async () => {
      try {
        const res = await fetch(API + "/v1/conversations/" + encodeURIComponent(conv.id) + "/events", {
          headers: { Authorization: "Bearer " + conv.token, Accept: "text/event-stream" },
          cache: "no-store",
          signal: ctrl.signal,
        });
        if (res.status === 401 || res.status === 403 || res.status === 404) {
          return; // conversation gone: don't hammer the server; a send will surface the problem
        }
        if (!res.ok || !res.body || !res.body.getReader) throw new Error("stream unavailable");
        s.attempt = 0; // connected: backoff only grows across consecutive failures
        if (s.hadDrop) {
          s.hadDrop = false;
          catchUp(); // fetch anything we missed while disconnected (deduped by id)
        }
        const reader = res.body.getReader();
        const decoder = new TextDecoder();
        const push = createSseParser(onStreamEvent);
        for (;;) {
          const chunk = await reader.read();
          if (chunk.done) break;
          push(decoder.decode(chunk.value, { stream: true }));
        }
        push(decoder.decode());
      } catch (e) {
        if (ctrl.signal.aborted) return;
      }
      if (ctrl.signal.aborted || s.ctrl !== ctrl) return;
      scheduleReconnect();
    })();
  }

  // ---------------------------------------------------------------- open / close

  function updateBadge() {
    if (state.unread > 0 && !state.open) {
      badge.hidden = false;
      badge.textContent = state.unread > 9 ? "9+" : String(state.unread);
      launcher.setAttribute(
        "aria-label",
        "Open Juniper Lane support chat (" + state.unread + " new message" + (state.unread === 1 ? "" : "s") + ")"
      );
    } else {
      badge.hidden = true;
      badge.textContent = "";
      launcher.setAttribute("aria-label", state.open ? "Close support chat" : "Open Juniper Lane support chat");
    }
  }

  function openPanel(focus) {
    state.open = true;
    panel.classList.toggle("wl-animate", !!focus);
    panel.hidden = false;
    root.classList.add("wl-is-open");
    launcher.setAttribute("aria-expanded", "true");
    state.unread = 0;
    updateBadge();
    startChat();
    scrollToBottom(true);
    if (focus) window.setTimeout(() => input.focus(), 30);
  }

  function closePanel(returnFocus) {
    state.open = false;
    panel.hidden = true;
    root.classList.remove("wl-is-open");
    launcher.setAttribute("aria-expanded", "false");
    updateBadge();
    if (returnFocus) launcher.focus();
  }

  // ---------------------------------------------------------------- events

  launcher.addEventListener("click", () => {
    if (state.open) closePanel(false);
    else openPanel(true);
  });
  closeBtn.addEventListener("click", () => closePanel(true));
  panel.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape" && !ev.isComposing) {
      ev.stopPropagation();
      closePanel(true);
    }
  });
  handoffBtn.addEventListener("click", requestHandoff);
  form.addEventListener("submit", onSubmit);
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing && ev.keyCode !== 229) {
      ev.preventDefault();
      if (typeof form.requestSubmit === "function") form.requestSubmit();
      else onSubmit(ev);
    }
  });
  input.addEventListener("input", () => {
    updateCounter();
    autoGrow();
  });

  // ---------------------------------------------------------------- mount

  function mount() {
    if (!document.body) return;
    injectStylesheet();
    document.body.appendChild(root);
    if (AUTO_OPEN) openPanel(false);
  }

  window.Warmline = {
    __loaded: true,
    open: () => openPanel(true),
    close: () => closePanel(false),
  };

  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount, { once: true });
})();
