/*
 * Warmline agent inbox (/agent).
 * Vanilla JS, no build step. Server data is only ever rendered with textContent.
 * Auth: HttpOnly session cookie set by POST /v1/auth/login; every call is same-origin.
 */
(function () {
  "use strict";

  const REASON_LABELS = {
    customer_request: "Asked for a person",
    frustration: "Frustrated",
    loop: "Going in circles",
    repeated_failure: "AI didn't help",
    low_confidence: "AI not confident",
    out_of_scope: "Out of scope",
    sensitive_topic: "Sensitive topic",
    policy_requires_human: "Policy",
    security: "Security",
    tool_failure: "System error",
  };

  const STATUS_LABELS = {
    open: "Waiting",
    claimed: "Claimed",
    resolved: "Resolved",
    released: "Back with AI",
  };

  const TAB_EMPTY = {
    open: "No one is waiting right now.",
    claimed: "You haven't claimed any conversations.",
    resolved: "No resolved conversations yet.",
  };

  const RECONNECT_MS = [1000, 2000, 5000, 10000];
  const BASE_TITLE = "Warmline inbox";
  const CLAIM_HINT = "Claim this conversation to reply";

  // ------------------------------------------------------------------ helpers

  const $ = (id) => document.getElementById(id);

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    if (attrs) {
      for (const key of Object.keys(attrs)) {
        const value = attrs[key];
        if (value === null || value === undefined || value === false) continue;
        if (key === "class") node.className = value;
        else if (key === "text") node.textContent = value;
        else if (key.slice(0, 2) === "on" && typeof value === "function") node.addEventListener(key.slice(2), value);
        else node.setAttribute(key, value === true ? "" : String(value));
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

  function reasonLabel(code) {
    if (REASON_LABELS[code]) return REASON_LABELS[code];
    const s = String(code || "").replace(/[_-]+/g, " ").trim();
    return s ? s.charAt(0).toUpperCase() + s.slice(1) : "Other";
  }

  function customerName(h) {
    return (h && h.customer && h.customer.name) || "Anonymous customer";
  }

  function parseTime(iso) {
    const t = Date.parse(iso || "");
    return isNaN(t) ? null : t;
  }

  function duration(iso) {
    const t = parseTime(iso);
    if (t === null) return null;
    const mins = Math.max(0, Math.floor((Date.now() - t) / 60000));
    if (mins < 1) return "<1 min";
    if (mins < 60) return mins + " min";
    const hours = Math.floor(mins / 60);
    if (hours < 24) return hours + " h" + (mins % 60 ? " " + (mins % 60) + " min" : "");
    const days = Math.floor(hours / 24);
    return days + (days === 1 ? " day" : " days");
  }

  function waitingText(h) {
    const d = duration(h.created_at);
    if (!d) return "";
    if (h.status === "open" || h.status === "claimed") return "waiting " + d;
    return "opened " + d + " ago";
  }

  function formatStamp(iso) {
    const t = parseTime(iso);
    if (t === null) return "";
    const d = new Date(t);
    const now = new Date();
    const time = d.toLocaleTimeString([], { hour: "numeric", minute: "2-digit" });
    if (d.toDateString() === now.toDateString()) return time;
    return d.toLocaleDateString([], { day: "numeric", month: "short" }) + ", " + time;
  }

  function safeHref(src) {
    if (!src || typeof src !== "string") return null;
    try {
      const u = new URL(src, window.location.origin + "/");
      if (u.protocol === "http:" || u.protocol === "https:") return u.href;
    } catch (e) {
      /* not a URL */
    }
    return null;
  }

  function priorityLevel(p) {
    const n = Number(p) || 0;
    // Policy priorities run 0-100: security and sensitive topics sit at the top.
    if (n >= 70) return "high";
    if (n >= 40) return "elevated";
    return "normal";
  }

  function isMine(h) {
    const me = state.me;
    const c = h && h.claimed_by;
    if (!me || !c) return false;
    if (c.id && me.id) return String(c.id) === String(me.id);
    return !!(c.email && me.email && c.email.toLowerCase() === me.email.toLowerCase());
  }

  function inTab(h, tab) {
    if (tab === "open") return h.status === "open";
    if (tab === "claimed") return h.status === "claimed" && isMine(h);
    if (tab === "resolved") return h.status === "resolved";
    return false;
  }

  function compareHandoffs(a, b) {
    const p = (Number(b.priority) || 0) - (Number(a.priority) || 0);
    if (p) return p;
    return (parseTime(a.created_at) || 0) - (parseTime(b.created_at) || 0);
  }

  function narrow() {
    return window.matchMedia && window.matchMedia("(max-width: 860px)").matches;
  }

  class ApiError extends Error {
    constructor(status, code, message, details) {
      super(message);
      this.status = status;
      this.code = code;
      this.details = details || null;
    }
  }

  function fallbackMessage(status) {
    if (status === 401) return "Please sign in.";
    if (status === 403) return "You don't have access to that.";
    if (status === 404) return "Not found. It may have been removed.";
    if (status >= 500) return "The server had a problem (" + status + "). Please try again.";
    return "Request failed (" + status + ").";
  }

  async function api(path, opts) {
    opts = opts || {};
    const init = {
      method: opts.method || "GET",
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "application/json" },
    };
    if (opts.body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(opts.body);
    }
    let res;
    try {
      res = await fetch(path, init);
    } catch (e) {
      throw new ApiError(0, "network_error", "Can't reach the Warmline server. Check your connection and try again.");
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
      const e = new ApiError(
        res.status,
        err.code || "http_" + res.status,
        typeof err.message === "string" && err.message ? err.message : fallbackMessage(res.status),
        err.details
      );
      if (res.status === 401 && state.me && !opts.allow401) sessionExpired();
      throw e;
    }
    return data;
  }

  // ------------------------------------------------------------------ state + dom

  const state = {
    me: null,
    tab: "open",
    handoffs: new Map(),
    loaded: { open: false, claimed: false, resolved: false },
    loading: { open: 0, claimed: 0, resolved: 0 },
    queueError: { open: null, claimed: null, resolved: null },
    knownOpen: new Set(),
    selectedId: null,
    detail: null,
    detailSeq: 0,
    transcriptIds: new Set(),
    refs: null,
    actionBusy: false,
    sendingReply: false,
    es: null,
    esTimer: null,
    esAttempt: 0,
    esHadError: false,
    renderQueued: false,
    drafts: new Map(), // handoff id -> unsent reply text
  };

  const dom = {
    boot: $("boot"),
    loginView: $("login-view"),
    loginForm: $("login-form"),
    loginError: $("login-error"),
    email: $("agent-email"),
    key: $("agent-key"),
    loginBtn: $("agent-login"),
    app: $("app-view"),
    userBox: $("user-box"),
    userEmail: $("user-email"),
    signOut: $("sign-out"),
    live: $("live"),
    liveText: $("live-text"),
    refresh: $("refresh-queue"),
    tabs: Array.from(document.querySelectorAll('[role="tab"][data-tab]')),
    queuePanel: $("queue-panel"),
    queue: $("queue"),
    queueState: $("queue-state"),
    countOpen: $("count-open"),
    countClaimed: $("count-claimed"),
    detail: $("detail"),
    toasts: $("toast-region"),
  };

  const emptyDetail = Array.from(dom.detail.childNodes).map((n) => n.cloneNode(true));

  // ------------------------------------------------------------------ session

  async function boot() {
    try {
      const r = await api("/v1/auth/me", { allow401: true });
      signedIn((r && r.user) || r);
    } catch (e) {
      if (e.status === 401) showLogin(null);
      else if (e.status) showLogin("Couldn't check your session (error " + e.status + "). You can still try to sign in.");
      else showLogin(e.message);
    }
  }

  function showLogin(message) {
    dom.boot.hidden = true;
    dom.app.hidden = true;
    dom.userBox.hidden = true;
    dom.loginView.hidden = false;
    setLoginError(message);
    document.title = BASE_TITLE;
    window.setTimeout(() => (dom.email.value ? dom.key : dom.email).focus(), 0);
  }

  function setLoginError(message) {
    dom.loginError.hidden = !message;
    dom.loginError.textContent = message || "";
  }

  async function onLogin(ev) {
    ev.preventDefault();
    const email = dom.email.value.trim();
    const key = dom.key.value.trim();
    if (!email || !key) {
      setLoginError("Enter your email and API key.");
      (email ? dom.key : dom.email).focus();
      return;
    }
    setLoginError(null);
    dom.loginBtn.disabled = true;
    dom.loginBtn.textContent = "Signing in\u2026";
    try {
      const r = await api("/v1/auth/login", { method: "POST", body: { email: email, api_key: key }, allow401: true });
      dom.key.value = "";
      signedIn((r && r.user) || { email: email });
    } catch (e) {
      setLoginError(e.status === 401 && e.message === fallbackMessage(401) ? "Email or API key is incorrect." : e.message);
      dom.key.focus();
      dom.key.select();
    } finally {
      dom.loginBtn.disabled = false;
      dom.loginBtn.textContent = "Sign in";
    }
  }

  function signedIn(user) {
    state.me = user || {};
    dom.boot.hidden = true;
    dom.loginView.hidden = true;
    dom.app.hidden = false;
    dom.userBox.hidden = false;
    dom.userEmail.textContent = state.me.email || state.me.name || "Signed in";
    dom.userEmail.title = state.me.name ? state.me.name + " \u00b7 " + (state.me.role || "agent") : "";
    connectEvents();
    setTab(state.tab, false);
    const loads = [loadQueue("open"), loadQueue("claimed")];
    if (state.tab === "resolved") loads.push(loadQueue("resolved"));
    const fromHash = decodeURIComponent((window.location.hash || "").replace(/^#/, ""));
    if (fromHash) select(fromHash, {});
    return Promise.all(loads);
  }

  function resetInbox() {
    closeEvents();
    state.me = null;
    state.handoffs.clear();
    state.knownOpen.clear();
    state.drafts.clear();
    state.loaded = { open: false, claimed: false, resolved: false };
    state.queueError = { open: null, claimed: null, resolved: null };
    state.selectedId = null;
    state.detail = null;
    state.detailSeq++;
    state.refs = null;
    dom.queue.textContent = "";
    dom.detail.textContent = "";
    for (const n of emptyDetail) dom.detail.appendChild(n.cloneNode(true));
    document.body.classList.remove("has-selection");
    if (window.location.hash) history.replaceState(null, "", window.location.pathname + window.location.search);
  }

  function sessionExpired() {
    if (!state.me) return;
    resetInbox();
    showLogin("Your session has ended. Please sign in again.");
  }

  async function signOut() {
    dom.signOut.disabled = true;
    try {
      await api("/v1/auth/logout", { method: "POST", body: {}, allow401: true });
    } catch (e) {
      /* signing out locally anyway */
    }
    dom.signOut.disabled = false;
    resetInbox();
    showLogin(null);
  }

  // ------------------------------------------------------------------ queue

  function upsertHandoff(h) {
    if (!h || !h.id) return null;
    const prev = state.handoffs.get(h.id);
    const merged = Object.assign({}, prev || {}, h);
    delete merged.brief;
    delete merged.transcript;
    if ((h.last_customer_message === null || h.last_customer_message === undefined) && prev && prev.last_customer_message) {
      merged.last_customer_message = prev.last_customer_message;
    }
    state.handoffs.set(h.id, merged);
    if (merged.status === "open") state.knownOpen.add(merged.id);
    else state.knownOpen.delete(merged.id);
    return merged;
  }

  async function loadQueue(tab) {
    state.loading[tab]++;
    if (tab === state.tab) renderQueueState();
    try {
      const r = await api("/v1/handoffs?status=" + encodeURIComponent(tab));
      const items = (r && Array.isArray(r.items) ? r.items : []).filter((h) => h && h.id);
      const ids = new Set(items.map((h) => h.id));
      // Open handoffs we had not heard of (e.g. created while live updates were down).
      const fresh = tab === "open" && state.loaded.open ? items.filter((h) => h.status === "open" && !state.knownOpen.has(h.id)) : [];
      // Forget items that are no longer in this status (we'll hear about them again if they move).
      for (const [id, h] of state.handoffs) {
        if (h.status === tab && !ids.has(id) && id !== state.selectedId) state.handoffs.delete(id);
      }
      for (const h of items) upsertHandoff(h);
      state.loaded[tab] = true;
      state.queueError[tab] = null;
      if (fresh.length) {
        toast(fresh.length === 1 ? "New conversation waiting" : fresh.length + " new conversations waiting", {
          label: "View",
          fn: () => {
            setTab("open", false);
            select(fresh[0].id, { focus: true });
          },
        });
      }
    } catch (e) {
      if (e.status === 401) return;
      state.queueError[tab] = e.message;
    } finally {
      state.loading[tab] = Math.max(0, state.loading[tab] - 1);
      renderQueue();
    }
  }

  function scheduleRender() {
    if (state.renderQueued) return;
    state.renderQueued = true;
    // A timer, not requestAnimationFrame: rAF is paused in background tabs, and the
    // document title ("(2) Warmline inbox") must keep updating there.
    window.setTimeout(() => {
      state.renderQueued = false;
      renderQueue();
    }, 16);
  }

  function updateCounts() {
    let open = 0;
    let mine = 0;
    for (const h of state.handoffs.values()) {
      if (inTab(h, "open")) open++;
      if (inTab(h, "claimed")) mine++;
    }
    dom.countOpen.textContent = open ? String(open) : "";
    dom.countClaimed.textContent = mine ? String(mine) : "";
    document.title = open ? "(" + open + ") " + BASE_TITLE : BASE_TITLE;
  }

  function renderQueueState() {
    const tab = state.tab;
    const count = dom.queue.children.length;
    const s = dom.queueState;
    s.textContent = "";
    s.className = "queue-state";
    if (state.queueError[tab]) {
      s.classList.add("is-error");
      s.appendChild(document.createTextNode("Couldn't load the queue: " + state.queueError[tab] + " "));
      s.appendChild(el("button", { type: "button", class: "btn-link", text: "Try again", onclick: () => loadQueue(tab) }));
    } else if (!count && state.loading[tab] && !state.loaded[tab]) {
      s.textContent = "Loading\u2026";
    } else if (!count && state.loaded[tab]) {
      s.textContent = TAB_EMPTY[tab];
    }
    s.hidden = !s.textContent;
  }

  function buildQueueItem(h) {
    const selected = h.id === state.selectedId;
    const level = priorityLevel(h.priority);
    const reasons = Array.isArray(h.reasons) ? h.reasons : [];
    const claimedBy = h.claimed_by ? (isMine(h) ? "you" : h.claimed_by.name || h.claimed_by.email || "another agent") : null;

    const btn = el(
      "button",
      {
        type: "button",
        class: "queue-item" + (selected ? " is-selected" : "") + " prio-" + level,
        "data-testid": "handoff-item",
        "data-id": h.id,
        "data-status": h.status,
        "aria-current": selected ? "true" : null,
      },
      [
        el("span", { class: "qi-row" }, [
          el("span", { class: "qi-name", text: customerName(h) }),
          el("span", {
            class: "prio prio-" + level,
            title: "Priority " + (Number(h.priority) || 0) + " (higher is more urgent)",
            text: "Priority " + (Number(h.priority) || 0),
          }),
        ]),
        reasons.length
          ? el(
              "span",
              { class: "qi-badges" },
              reasons.map((code) =>
                el("span", {
                  class: "badge reason-badge reason-" + String(code).replace(/[^a-z0-9_-]/gi, ""),
                  "data-testid": "reason-badge",
                  "data-code": code,
                  text: reasonLabel(code),
                })
              )
            )
          : null,
        el("span", {
          class: "qi-preview" + (h.last_customer_message ? "" : " is-empty"),
          text: h.last_customer_message || "No customer message yet",
        }),
        el("span", { class: "qi-foot" }, [
          el("span", { class: "qi-wait", "data-since": h.created_at || "", "data-status": h.status, text: waitingText(h) }),
          claimedBy && h.status !== "open" ? el("span", { class: "qi-claimed", text: "Claimed by " + claimedBy }) : null,
        ]),
      ]
    );
    return el("li", { class: "queue-li" }, [btn]);
  }

  function renderQueue() {
    const active = document.activeElement;
    const focusId = active && active.classList && active.classList.contains("queue-item") ? active.getAttribute("data-id") : null;
    const items = Array.from(state.handoffs.values())
      .filter((h) => inTab(h, state.tab))
      .sort(compareHandoffs);
    dom.queue.textContent = "";
    for (const h of items) dom.queue.appendChild(buildQueueItem(h));
    if (focusId) {
      const again = Array.from(dom.queue.querySelectorAll(".queue-item")).find((b) => b.getAttribute("data-id") === focusId);
      if (again) again.focus({ preventScroll: true });
    }
    renderQueueState();
    updateCounts();
  }

  function setTab(tab, focus) {
    state.tab = tab;
    for (const t of dom.tabs) {
      const on = t.getAttribute("data-tab") === tab;
      t.setAttribute("aria-selected", on ? "true" : "false");
      t.tabIndex = on ? 0 : -1;
      if (on) {
        dom.queuePanel.setAttribute("aria-labelledby", t.id);
        if (focus) t.focus();
      }
    }
    renderQueue();
  }

  function onTabClick(ev) {
    const t = ev.currentTarget;
    const tab = t.getAttribute("data-tab");
    setTab(tab, false);
    loadQueue(tab);
  }

  function onTabKey(ev) {
    const i = dom.tabs.indexOf(ev.currentTarget);
    let next = null;
    if (ev.key === "ArrowRight" || ev.key === "ArrowDown") next = dom.tabs[(i + 1) % dom.tabs.length];
    else if (ev.key === "ArrowLeft" || ev.key === "ArrowUp") next = dom.tabs[(i - 1 + dom.tabs.length) % dom.tabs.length];
    else if (ev.key === "Home") next = dom.tabs[0];
    else if (ev.key === "End") next = dom.tabs[dom.tabs.length - 1];
    if (!next) return;
    ev.preventDefault();
    const tab = next.getAttribute("data-tab");
    setTab(tab, true);
    loadQueue(tab);
  }

  function onQueueClick(ev) {
    const btn = ev.target.closest(".queue-item");
    if (!btn || !dom.queue.contains(btn)) return;
    select(btn.getAttribute("data-id"), { focus: narrow() });
  }

  function onQueueKey(ev) {
    if (ev.key !== "ArrowDown" && ev.key !== "ArrowUp") return;
    const buttons = Array.from(dom.queue.querySelectorAll(".queue-item"));
    const i = buttons.indexOf(document.activeElement);
    if (i < 0) return;
    ev.preventDefault();
    const next = buttons[ev.key === "ArrowDown" ? Math.min(buttons.length - 1, i + 1) : Math.max(0, i - 1)];
    if (next) next.focus();
  }

  function tick() {
    for (const node of dom.queue.querySelectorAll(".qi-wait")) {
      node.textContent = waitingText({ created_at: node.getAttribute("data-since"), status: node.getAttribute("data-status") });
    }
    if (state.detail && state.refs) syncMeta();
  }

  // ------------------------------------------------------------------ detail

  function setSelectedMarker() {
    for (const b of dom.queue.querySelectorAll(".queue-item")) {
      const on = b.getAttribute("data-id") === state.selectedId;
      b.classList.toggle("is-selected", on);
      if (on) b.setAttribute("aria-current", "true");
      else b.removeAttribute("aria-current");
    }
  }

  function detailMessage(text, isError, retryId) {
    dom.detail.textContent = "";
    const box = el("div", { class: "empty-detail" + (isError ? " is-error" : ""), role: isError ? "alert" : "status" }, [
      el("p", { text: text }),
    ]);
    if (retryId) {
      box.appendChild(el("button", { type: "button", class: "btn", text: "Try again", onclick: () => select(retryId, {}) }));
    }
    if (narrow()) {
      box.insertBefore(el("button", { type: "button", class: "btn btn-quiet back-btn", text: "\u2190 Queue", onclick: closeDetail }), box.firstChild);
    }
    dom.detail.appendChild(box);
  }

  async function select(id, opts) {
    if (!id) return;
    opts = opts || {};
    state.selectedId = id;
    setSelectedMarker();
    document.body.classList.add("has-selection");
    try {
      history.replaceState(null, "", "#" + encodeURIComponent(id));
    } catch (e) {
      /* ignore */
    }
    const seq = ++state.detailSeq;
    if (!state.detail || state.detail.id !== id) {
      state.refs = null;
      detailMessage("Loading conversation\u2026", false);
    }
    try {
      const d = await api("/v1/handoffs/" + encodeURIComponent(id));
      if (seq !== state.detailSeq) return;
      state.detail = d;
      upsertHandoff(d);
      scheduleRender();
      renderDetail();
      if (opts.focus && state.refs) state.refs.heading.focus();
    } catch (e) {
      if (seq !== state.detailSeq || e.status === 401) return;
      state.detail = null;
      state.refs = null;
      detailMessage("Couldn't open this conversation: " + e.message, true, id);
    }
  }

  function closeDetail() {
    const id = state.selectedId;
    document.body.classList.remove("has-selection");
    const btn = Array.from(dom.queue.querySelectorAll(".queue-item")).find((b) => b.getAttribute("data-id") === id);
    if (btn) btn.focus();
  }

  function renderBrief(d) {
    const b = d.brief || {};
    const section = el("section", { class: "brief", "data-testid": "brief", "aria-labelledby": "brief-title" });
    section.appendChild(el("h3", { id: "brief-title", class: "section-label", text: "Brief" }));
    section.appendChild(el("p", { class: "brief-summary", text: b.summary || "No summary available." }));

    const grid = el("dl", { class: "brief-grid" });
    function row(label, content, cls) {
      if (content === null || content === undefined || content === "") return;
      grid.appendChild(
        el("div", { class: "brief-row" + (cls ? " " + cls : "") }, [
          el("dt", { text: label }),
          typeof content === "string" ? el("dd", { text: content }) : el("dd", {}, [content]),
        ])
      );
    }

    // Reasons with evidence (fall back to the bare codes on the handoff).
    let reasons = Array.isArray(b.reasons) && b.reasons.length ? b.reasons : null;
    if (!reasons && Array.isArray(d.reasons)) reasons = d.reasons.map((code) => ({ code: code, evidence: "" }));
    if (reasons && reasons.length) {
      const list = el("ul", { class: "reason-list" });
      for (const r of reasons) {
        const code = typeof r === "string" ? r : r.code;
        const evidence = typeof r === "string" ? "" : r.evidence;
        list.appendChild(
          el("li", {}, [
            el("span", { class: "badge reason-" + String(code).replace(/[^a-z0-9_-]/gi, ""), "data-code": code, text: reasonLabel(code) }),
            evidence ? el("span", { class: "evidence", text: evidence }) : null,
          ])
        );
      }
      row("Why they're here", list);
    }

    const c = b.customer || d.customer || {};
    const who = el("span", { class: "customer-line" }, [
      el("span", { text: c.name || "Anonymous customer" }),
      c.email ? el("span", { class: "muted", text: c.email }) : null,
      typeof c.verified === "boolean"
        ? el("span", { class: "pill " + (c.verified ? "pill-ok" : "pill-warn"), text: c.verified ? "Verified" : "Not verified" })
        : null,
      typeof c.lifetime_value === "number"
        ? el("span", { class: "muted", text: "lifetime value " + c.lifetime_value.toLocaleString(undefined, { maximumFractionDigits: 2 }) })
        : null,
    ]);
    row("Customer", who);
    row("Customer was told", b.told_customer || "");
    row("Suggested next step", b.suggested_next_step || "", "is-next");
    row("What went wrong", b.recovery_note || "", "is-recovery");
    row("Details given", Array.isArray(b.data_collected) ? b.data_collected.join(" \u00b7 ") : "");
    if (Array.isArray(b.actions_tried) && b.actions_tried.length) {
      row("What the AI tried", el("ul", { class: "actions-tried" }, b.actions_tried.map((a) => el("li", { text: a }))));
    }
    row("Mood over the turns", moodLine(b.sentiment));
    row("Intent", b.intent || "");
    section.appendChild(grid);
    return section;
  }

  // Frustration per customer turn (0 calm .. 1 frustrated), oldest first, as words and numbers.
  function moodLine(scores) {
    if (!Array.isArray(scores) || !scores.length) return "";
    const word = (v) => (v >= 0.75 ? "frustrated" : v >= 0.45 ? "tense" : "calm");
    return scores.map((v) => word(v) + " (" + Number(v).toFixed(2) + ")").join(" \u2192 ");
  }

  function roleAuthor(m) {
    if (m.role === "customer") return (state.detail && state.detail.customer && state.detail.customer.name) || "Customer";
    if (m.role === "ai") return "AI assistant";
    if (m.role === "agent") return m.author_name || "Support agent";
    return "System";
  }

  function buildTranscriptMessage(m) {
    const role = ["customer", "ai", "agent", "system"].indexOf(m.role) >= 0 ? m.role : "system";
    const li = el("li", { class: "msg msg-" + role, "data-role": role, "data-id": m.id });
    li.appendChild(
      el("div", { class: "msg-head" }, [
        el("span", { class: "msg-author", text: roleAuthor(m) }),
        m.created_at ? el("time", { datetime: m.created_at, text: formatStamp(m.created_at) }) : null,
      ])
    );
    li.appendChild(el("p", { class: "msg-text", text: m.text || "" }));
    if (Array.isArray(m.citations) && m.citations.length) {
      const cites = el("div", { class: "msg-cites" }, [el("span", { class: "muted", text: "Sources:" })]);
      for (const c of m.citations) {
        if (!c) continue;
        const href = safeHref(c.source);
        const label = (c.title || c.source || "Source") + (c.section ? " \u203a " + c.section : "");
        cites.appendChild(
          href
            ? el("a", { href: href, target: "_blank", rel: "noopener noreferrer", title: c.snippet || null, text: label })
            : el("span", { title: c.snippet || null, text: label })
        );
      }
      li.appendChild(cites);
    }
    return li;
  }

  function transcriptAtBottom() {
    const sc = state.refs && state.refs.scroll;
    return !sc || sc.scrollHeight - sc.scrollTop - sc.clientHeight < 120;
  }

  function scrollTranscriptToEnd() {
    const r = state.refs;
    if (!r) return;
    r.scroll.scrollTop = r.scroll.scrollHeight;
    r.jump.hidden = true;
  }

  function appendTranscript(m, force) {
    const r = state.refs;
    if (!r || !m || !m.id) return;
    if (state.transcriptIds.has(m.id)) {
      if (force) scrollTranscriptToEnd(); // e.g. our own reply arrived over SSE before the POST returned
      return;
    }
    const atBottom = transcriptAtBottom();
    state.transcriptIds.add(m.id);
    r.transcript.appendChild(buildTranscriptMessage(m));
    if (r.transcriptEmpty) r.transcriptEmpty.hidden = true;
    if (force || atBottom) scrollTranscriptToEnd();
    else if (!r.initialising) r.jump.hidden = false;
  }

  // The co-pilot: a reply drafted from the help center (the agent edits and sends it) and
  // the customer's other conversations. Fetched once per handoff, kept while it is open.
  const copilotCache = new Map();

  async function loadCopilot(id, section, replyInput) {
    let data = copilotCache.get(id);
    if (!data) {
      try {
        data = await api("/v1/handoffs/" + encodeURIComponent(id) + "/copilot");
        copilotCache.set(id, data);
      } catch (e) {
        if (e.status === 401) return;
        section.replaceChildren(
          el("h3", { class: "section-label", text: "Co-pilot" }),
          el("p", { class: "muted", text: "No suggestion right now: " + e.message })
        );
        return;
      }
    }
    if (!state.detail || state.detail.id !== id) return;
    const parts = [el("h3", { id: "copilot-title", class: "section-label", text: "Co-pilot" })];
    const draft = data.draft;
    if (draft) {
      const pct = Math.round((draft.confidence || 0) * 100);
      const use = el("button", { type: "button", class: "btn btn-small", "data-testid": "copilot-use", text: "Use this draft" });
      use.addEventListener("click", () => {
        replyInput.value = draft.text;
        state.drafts.set(id, draft.text);
        replyInput.focus();
      });
      const sources = el("p", { class: "copilot-sources muted" }, [
        el("span", { text: "From: " }),
        ...draft.citations.map((c, i) =>
          el("span", { text: (i ? ", " : "") + c.title + (c.section ? " \u203a " + c.section : "") })
        ),
      ]);
      parts.push(
        el("p", { class: "copilot-question muted", text: "For: \u201c" + draft.question + "\u201d \u00b7 AI confidence " + pct + "%" }),
        el("blockquote", { class: "copilot-draft", "data-testid": "copilot-draft", text: draft.text }),
        sources
      );
      if (draft.already_sent) {
        parts.push(el("p", { class: "copilot-sent muted", "data-testid": "copilot-already-sent",
          text: "The assistant already sent this to the customer in this chat." }));
      }
      parts.push(use);
    } else {
      parts.push(el("p", { class: "muted", text: "The help center has nothing on the latest question." }));
    }
    const past = data.past_conversations || [];
    const pastList = el("ul", { class: "copilot-past", "data-testid": "copilot-past" });
    for (const c of past) {
      const reasons = (c.handoffs || []).map((h) => reasonLabel(h.reasons[0])).join(", ");
      pastList.appendChild(
        el("li", {}, [
          el("span", { text: formatStamp(c.created_at) + " \u00b7 " + c.channel + ": " }),
          el("span", { text: c.first_message ? "\u201c" + c.first_message + "\u201d" : "(no message)" }),
          reasons ? el("span", { class: "muted", text: " \u2192 handed over: " + reasons }) : null,
        ])
      );
    }
    parts.push(
      el("h4", { class: "section-label", text: "Earlier conversations" }),
      past.length ? pastList : el("p", { class: "muted", text: "None: this is the customer's first conversation." })
    );
    section.replaceChildren(...parts);
  }

  function renderDetail() {
    const d = state.detail;
    dom.detail.textContent = "";
    state.transcriptIds = new Set();

    const heading = el("h2", { class: "detail-title", id: "detail-title", tabindex: "-1", text: customerName(d) });
    const back = el("button", { type: "button", class: "btn btn-quiet btn-small back-btn", text: "\u2190 Queue", onclick: closeDetail });
    const meta = el("div", { class: "detail-meta" });
    const claim = el("button", { type: "button", class: "btn btn-primary", "data-testid": "claim", text: "Claim" });
    const resolve = el("button", { type: "button", class: "btn", "data-testid": "resolve", text: "Resolve" });
    const release = el("button", { type: "button", class: "btn", "data-testid": "release", text: "Hand back to AI" });
    claim.addEventListener("click", () => runAction("claim"));
    resolve.addEventListener("click", () => runAction("resolve"));
    release.addEventListener("click", () => runAction("release"));

    const head = el("header", { class: "detail-head" }, [
      el("div", { class: "detail-id" }, [back, el("div", { class: "detail-titles" }, [heading, meta])]),
      el("div", { class: "detail-actions", role: "group", "aria-label": "Conversation actions" }, [claim, resolve, release]),
    ]);

    const alert = el("div", { class: "alert", role: "alert", hidden: true });

    const transcript = el("ol", {
      class: "transcript",
      "data-testid": "transcript",
      role: "log",
      "aria-live": "polite",
      "aria-labelledby": "transcript-title",
    });
    const transcriptEmpty = el("p", { class: "muted", text: "No messages yet." });
    const jump = el("button", { type: "button", class: "btn btn-small jump-new", hidden: true, text: "New message \u2193" });
    jump.addEventListener("click", () => {
      scrollTranscriptToEnd();
      const last = transcript.lastElementChild;
      if (last) {
        last.setAttribute("tabindex", "-1");
        last.focus({ preventScroll: true });
      }
    });
    const copilot = el("section", { class: "copilot", "data-testid": "copilot", "aria-labelledby": "copilot-title" }, [
      el("h3", { id: "copilot-title", class: "section-label", text: "Co-pilot" }),
      el("p", { class: "muted", text: "Preparing a suggested reply\u2026" }),
    ]);
    const scroll = el("div", { class: "detail-scroll" }, [
      renderBrief(d),
      copilot,
      el("section", { class: "transcript-wrap", "aria-labelledby": "transcript-title" }, [
        el("h3", { id: "transcript-title", class: "section-label", text: "Conversation" }),
        transcriptEmpty,
        transcript,
      ]),
      jump,
    ]);
    scroll.addEventListener("scroll", () => {
      if (!jump.hidden && transcriptAtBottom()) jump.hidden = true;
    });

    const replyInput = el("textarea", {
      id: "reply-input",
      class: "reply-input",
      "data-testid": "reply-input",
      rows: "3",
      maxlength: "4000",
      "aria-describedby": "reply-hint",
      placeholder: "Write a reply to the customer\u2026",
    });
    const replySend = el("button", { type: "submit", class: "btn btn-primary", "data-testid": "reply-send", text: "Send" });
    const replyHint = el("p", { id: "reply-hint", class: "hint" });
    const reply = el("form", { class: "reply", novalidate: true }, [
      el("label", { for: "reply-input", class: "reply-label", text: "Reply to customer" }),
      replyInput,
      el("div", { class: "reply-foot" }, [replyHint, replySend]),
    ]);
    reply.addEventListener("submit", (ev) => {
      ev.preventDefault();
      sendReply();
    });
    replyInput.value = state.drafts.get(d.id) || "";
    replyInput.addEventListener("input", () => {
      if (replyInput.value) state.drafts.set(d.id, replyInput.value);
      else state.drafts.delete(d.id);
    });
    replyInput.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing && ev.keyCode !== 229) {
        ev.preventDefault();
        sendReply();
      }
    });

    const wrap = el("div", { class: "detail" }, [head, alert, scroll, reply]);
    dom.detail.appendChild(wrap);
    loadCopilot(d.id, copilot, replyInput);

    state.refs = {
      heading: heading,
      meta: meta,
      claim: claim,
      resolve: resolve,
      release: release,
      alert: alert,
      scroll: scroll,
      transcript: transcript,
      transcriptEmpty: transcriptEmpty,
      jump: jump,
      initialising: true,
      replyInput: replyInput,
      replySend: replySend,
      replyHint: replyHint,
    };

    const messages = Array.isArray(d.transcript) ? d.transcript : [];
    for (const m of messages) appendTranscript(m, false);
    state.refs.initialising = false;
    transcriptEmpty.hidden = messages.length > 0;
    scroll.scrollTop = 0; // the brief comes first
    syncDetail();
  }

  function syncMeta() {
    const d = state.detail;
    const r = state.refs;
    if (!d || !r) return;
    r.heading.textContent = customerName(d);
    r.meta.textContent = "";
    const level = priorityLevel(d.priority);
    r.meta.appendChild(el("span", { class: "pill pill-status status-" + d.status, text: STATUS_LABELS[d.status] || d.status || "" }));
    r.meta.appendChild(el("span", { class: "prio prio-" + level, text: "Priority " + (Number(d.priority) || 0) }));
    const wait = waitingText(d);
    if (wait) r.meta.appendChild(el("span", { class: "meta-item", text: wait }));
    if (d.queue) r.meta.appendChild(el("span", { class: "meta-item", text: "Queue: " + d.queue }));
    if (d.claimed_by && d.status === "claimed") {
      r.meta.appendChild(
        el("span", {
          class: "meta-item" + (isMine(d) ? "" : " is-other"),
          text: isMine(d) ? "Claimed by you" : "Claimed by " + (d.claimed_by.name || d.claimed_by.email || "another agent"),
        })
      );
    }
  }

  function syncDetail() {
    const d = state.detail;
    const r = state.refs;
    if (!d || !r) return;
    syncMeta();
    const mine = isMine(d) && d.status === "claimed";
    const done = d.status === "resolved";
    const busy = state.actionBusy;

    r.claim.disabled = busy || mine || done;
    r.claim.textContent = mine ? "Claimed by you" : "Claim";
    r.resolve.disabled = busy || done;
    r.resolve.textContent = done ? "Resolved" : "Resolve";
    r.release.disabled = busy || done || d.status === "released";

    r.replyInput.disabled = !mine;
    r.replySend.disabled = !mine || state.sendingReply;
    r.replySend.textContent = state.sendingReply ? "Sending\u2026" : "Send";
    if (mine) r.replyHint.textContent = "Enter to send \u00b7 Shift+Enter for a new line";
    else if (done) r.replyHint.textContent = "This conversation is resolved.";
    else r.replyHint.textContent = CLAIM_HINT;
    r.replyHint.classList.toggle("is-locked", !mine);
  }

  function mergeDetail(h) {
    if (!state.detail || !h || h.id !== state.detail.id) return;
    const keep = { brief: state.detail.brief, transcript: state.detail.transcript };
    state.detail = Object.assign({}, state.detail, h);
    if (!h.brief) state.detail.brief = keep.brief;
    if (!h.transcript) state.detail.transcript = keep.transcript;
  }

  function showAlert(message) {
    const r = state.refs;
    if (!r) return;
    r.alert.textContent = message;
    r.alert.hidden = !message;
  }

  async function refreshDetail() {
    const d = state.detail;
    if (!d) return;
    try {
      const full = await api("/v1/handoffs/" + encodeURIComponent(d.id));
      if (!state.detail || state.detail.id !== full.id) return;
      mergeDetail(full);
      upsertHandoff(full);
      if (Array.isArray(full.transcript)) for (const m of full.transcript) appendTranscript(m, false);
      syncDetail();
      scheduleRender();
    } catch (e) {
      /* keep what we have */
    }
  }

  async function runAction(kind) {
    const d = state.detail;
    if (!d || state.actionBusy) return;
    const id = d.id;
    state.actionBusy = true;
    showAlert("");
    syncDetail();
    let ok = false;
    try {
      const h = await api("/v1/handoffs/" + encodeURIComponent(id) + "/" + kind, { method: "POST", body: {} });
      if (h && h.id) {
        mergeDetail(h);
        upsertHandoff(h);
      } else {
        await refreshDetail();
      }
      ok = true;
    } catch (e) {
      if (e.status === 401) return;
      showAlert(e.message);
      if (e.status === 409 || e.status === 404) refreshDetail();
    } finally {
      state.actionBusy = false;
      syncDetail();
      scheduleRender();
    }
    if (!ok || !state.detail || state.detail.id !== id) return;
    if (kind === "claim") {
      toast("You claimed this conversation");
      scrollTranscriptToEnd(); // show the latest messages before replying
      if (!state.refs.replyInput.disabled) state.refs.replyInput.focus();
    } else if (kind === "resolve") {
      toast("Conversation resolved");
    } else if (kind === "release") {
      toast("Handed back to the AI assistant");
    }
  }

  async function sendReply() {
    const d = state.detail;
    const r = state.refs;
    if (!d || !r || state.sendingReply || r.replyInput.disabled) return;
    const text = r.replyInput.value.trim();
    if (!text) return;
    const id = d.id;
    state.sendingReply = true;
    showAlert("");
    syncDetail();
    try {
      const res = await api("/v1/handoffs/" + encodeURIComponent(id) + "/messages", { method: "POST", body: { text: text } });
      if (state.detail && state.detail.id === id) {
        if (r.replyInput.value.trim() === text) {
          r.replyInput.value = "";
          state.drafts.delete(id);
        }
        if (res && res.message) appendTranscript(res.message, true);
      }
    } catch (e) {
      if (e.status === 401) return;
      if (state.detail && state.detail.id === id) {
        showAlert(e.message);
        if (e.status === 409) refreshDetail();
      }
    } finally {
      state.sendingReply = false;
      syncDetail();
      if (state.refs && !state.refs.replyInput.disabled) state.refs.replyInput.focus();
    }
  }

  // ------------------------------------------------------------------ live events

  function setLive(mode) {
    dom.live.setAttribute("data-state", mode);
    dom.liveText.textContent =
      mode === "live" ? "Live" : mode === "connecting" ? "Connecting\u2026" : mode === "off" ? "Live updates off" : "Reconnecting\u2026";
  }

  function closeEvents() {
    if (state.esTimer) window.clearTimeout(state.esTimer);
    state.esTimer = null;
    if (state.es) state.es.close();
    state.es = null;
  }

  function parseData(raw) {
    try {
      return JSON.parse(raw);
    } catch (e) {
      return null;
    }
  }

  function connectEvents() {
    closeEvents();
    if (typeof EventSource === "undefined") {
      setLive("off");
      return;
    }
    setLive("connecting");
    const es = new EventSource("/v1/inbox/events");
    state.es = es;
    es.addEventListener("open", () => {
      state.esAttempt = 0;
      setLive("live");
      if (state.esHadError) {
        state.esHadError = false;
        resync();
      }
    });
    es.addEventListener("handoff", (ev) => {
      const h = parseData(ev.data);
      if (h && h.id) onHandoffEvent(h);
    });
    es.addEventListener("message", (ev) => {
      const m = parseData(ev.data);
      if (m && m.id && m.conversation_id) onMessageEvent(m);
    });
    es.addEventListener("error", () => {
      if (state.es !== es) return;
      state.esHadError = true;
      if (es.readyState === EventSource.CLOSED) {
        es.close();
        state.es = null;
        setLive("offline");
        const delay = RECONNECT_MS[Math.min(state.esAttempt, RECONNECT_MS.length - 1)];
        state.esAttempt++;
        state.esTimer = window.setTimeout(async () => {
          state.esTimer = null;
          if (!state.me) return;
          try {
            await api("/v1/auth/me"); // a 401 here signs us out
          } catch (e) {
            if (e.status === 401) return;
          }
          if (state.me) connectEvents();
        }, delay);
      } else {
        setLive("reconnecting");
      }
    });
  }

  function resync() {
    loadQueue("open");
    loadQueue("claimed");
    if (state.tab === "resolved") loadQueue("resolved");
    if (state.detail) refreshDetail();
  }

  function onHandoffEvent(h) {
    const isNewOpen = h.status === "open" && !state.knownOpen.has(h.id);
    upsertHandoff(h);
    if (isNewOpen && state.loaded.open) {
      toast("New conversation waiting", {
        label: "View",
        fn: () => {
          setTab("open", false);
          select(h.id, { focus: true });
        },
      });
    }
    if (state.detail && state.detail.id === h.id) {
      mergeDetail(h);
      syncDetail();
    }
    scheduleRender();
  }

  function onMessageEvent(m) {
    if (state.detail && state.detail.conversation_id === m.conversation_id) appendTranscript(m, false);
    if (m.role === "customer") {
      let changed = false;
      for (const h of state.handoffs.values()) {
        if (h.conversation_id === m.conversation_id) {
          h.last_customer_message = m.text;
          changed = true;
        }
      }
      if (changed) scheduleRender();
    }
  }

  // ------------------------------------------------------------------ toasts

  function toast(text, action) {
    const node = el("div", { class: "toast" }, [el("span", { text: text })]);
    if (action) {
      node.appendChild(
        el("button", {
          type: "button",
          class: "btn btn-small btn-on-dark",
          text: action.label,
          onclick: () => {
            node.remove();
            action.fn();
          },
        })
      );
    }
    node.appendChild(
      el("button", { type: "button", class: "toast-close", "aria-label": "Dismiss notification", text: "\u00d7", onclick: () => node.remove() })
    );
    dom.toasts.appendChild(node);
    while (dom.toasts.children.length > 3) dom.toasts.firstChild.remove();
    window.setTimeout(() => node.remove(), action ? 8000 : 4000);
  }

  // ------------------------------------------------------------------ wire up

  dom.loginForm.addEventListener("submit", onLogin);
  dom.signOut.addEventListener("click", signOut);
  dom.refresh.addEventListener("click", () => loadQueue(state.tab));
  for (const t of dom.tabs) {
    t.addEventListener("click", onTabClick);
    t.addEventListener("keydown", onTabKey);
  }
  dom.queue.addEventListener("click", onQueueClick);
  dom.queue.addEventListener("keydown", onQueueKey);
  window.addEventListener("hashchange", () => {
    const id = decodeURIComponent((window.location.hash || "").replace(/^#/, ""));
    if (state.me && id && id !== state.selectedId) select(id, {});
  });
  window.setInterval(tick, 30000);
  window.setInterval(() => {
    // Safety net if live updates are down: keep the queue reasonably fresh.
    if (state.me && (!state.es || state.es.readyState !== 1)) resync();
  }, 60000);

  boot();
})();
