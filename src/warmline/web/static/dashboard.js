/*
 * Warmline dashboard (/dashboard). Reads GET /v1/metrics/summary with the
 * inbox session cookie and refreshes every 15 seconds. textContent only.
 */
(function () {
  "use strict";

  const REFRESH_MS = 15000;
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

  const $ = (id) => document.getElementById(id);
  const dom = {
    updated: $("updated"),
    refresh: $("refresh"),
    banner: $("banner"),
    signin: $("signin"),
    metrics: $("metrics"),
    resolution: $("m-resolution"),
    resolutionNote: $("m-resolution-note"),
    containment: $("m-containment"),
    conversations: $("m-conversations"),
    ai: $("m-ai"),
    handoffs: $("m-handoffs"),
    csat: $("m-csat"),
    csatNote: $("m-csat-note"),
    reasons: $("m-reasons"),
    reasonsEmpty: $("m-reasons-empty"),
  };

  let inFlight = false;
  let hasData = false;

  function reasonLabel(code) {
    if (REASON_LABELS[code]) return REASON_LABELS[code];
    const s = String(code || "").replace(/[_-]+/g, " ").trim();
    return s ? s.charAt(0).toUpperCase() + s.slice(1) : "Other";
  }

  function num(n) {
    return typeof n === "number" && isFinite(n) ? n.toLocaleString() : "—";
  }

  /** Rates are fractions (0..1); values above 1 are treated as already being percentages. */
  function pct(r) {
    if (typeof r !== "number" || !isFinite(r)) return "—";
    const v = r <= 1 ? r * 100 : r;
    return (Math.round(v * 10) / 10).toLocaleString() + "%";
  }

  function setBanner(text) {
    dom.banner.textContent = text || "";
    dom.banner.hidden = !text;
  }

  function render(m) {
    const feedback = typeof m.feedback_count === "number" ? m.feedback_count : null;
    dom.resolution.textContent = pct(m.confirmed_resolution_rate);
    dom.resolutionNote.textContent =
      m.confirmed_resolution_rate === null || m.confirmed_resolution_rate === undefined
        ? "No customer feedback yet. This fills in as customers tell us whether their problem was solved."
        : "Customers who told us their problem was solved" +
          (feedback !== null ? " (" + feedback.toLocaleString() + " feedback response" + (feedback === 1 ? "" : "s") + ")." : ".");
    dom.containment.textContent = pct(m.containment_rate);
    dom.conversations.textContent = num(m.conversations);
    dom.ai.textContent = num(m.ai_handled);
    dom.handoffs.textContent = num(m.handoffs);

    if (typeof m.csat_avg === "number" && isFinite(m.csat_avg)) {
      dom.csat.textContent = m.csat_avg.toFixed(1) + " / 5";
      dom.csatNote.textContent = feedback !== null ? "From " + feedback.toLocaleString() + " feedback response" + (feedback === 1 ? "" : "s") + "." : "";
    } else {
      dom.csat.textContent = "—";
      dom.csatNote.textContent = "No ratings yet.";
    }

    const entries = Object.entries(m.escalations_by_reason || {})
      .filter((e) => typeof e[1] === "number" && e[1] > 0)
      .sort((a, b) => b[1] - a[1]);
    const max = entries.reduce((acc, e) => Math.max(acc, e[1]), 0);
    dom.reasons.textContent = "";
    for (const [code, count] of entries) {
      const li = document.createElement("li");
      li.className = "bar-row";
      li.setAttribute("data-code", code);
      const label = document.createElement("span");
      label.className = "bar-label";
      label.textContent = reasonLabel(code);
      const track = document.createElement("span");
      track.className = "bar-track";
      track.setAttribute("aria-hidden", "true");
      const fill = document.createElement("span");
      fill.className = "bar-fill";
      fill.style.display = "block";
      fill.style.width = (max ? Math.max(2, (count / max) * 100) : 0).toFixed(1) + "%";
      track.appendChild(fill);
      const value = document.createElement("span");
      value.className = "bar-count";
      value.textContent = count.toLocaleString();
      li.append(label, track, value);
      dom.reasons.appendChild(li);
    }
    dom.reasonsEmpty.hidden = entries.length > 0;
  }

  async function load() {
    if (inFlight) return;
    inFlight = true;
    dom.refresh.disabled = true;
    try {
      let res;
      try {
        res = await fetch("/v1/metrics/summary", {
          credentials: "same-origin",
          cache: "no-store",
          headers: { Accept: "application/json" },
        });
      } catch (e) {
        throw new Error("Can't reach the Warmline server. Check your connection.");
      }
      let data = null;
      try {
        const raw = await res.text();
        data = raw ? JSON.parse(raw) : null;
      } catch (e) {
        data = null;
      }
      if (res.status === 401) {
        dom.metrics.hidden = true;
        dom.signin.hidden = false;
        setBanner("");
        dom.updated.textContent = "Not signed in";
        hasData = false;
        return;
      }
      if (!res.ok || !data) {
        const msg = data && data.error && data.error.message;
        throw new Error(msg || "Couldn't load metrics (error " + res.status + ").");
      }
      render(data);
      hasData = true;
      dom.signin.hidden = true;
      dom.metrics.hidden = false;
      setBanner("");
      dom.updated.textContent =
        "Updated " + new Date().toLocaleTimeString([], { hour: "numeric", minute: "2-digit", second: "2-digit" });
    } catch (e) {
      setBanner(e.message + (hasData ? " Showing the last figures we had." : " We'll keep trying."));
      if (!hasData) dom.updated.textContent = "Not loaded";
    } finally {
      inFlight = false;
      dom.refresh.disabled = false;
    }
  }

  dom.refresh.addEventListener("click", load);
  window.setInterval(load, REFRESH_MS);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") load();
  });
  load();
})();
