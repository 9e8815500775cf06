/*
 * The operator console: vanilla JS, no framework, no outside resource. It talks to the
 * service's API with the operator's bearer token (kept in this tab's sessionStorage only).
 * Size: about 750 lines once formatted: one script served as is (no bundler, no build step); splitting it into
 * ES modules served under /console/ is the next step.
 */
const $ = (sel) => document.querySelector(sel);
const state = {
  lastSeq: 0,
  requestsSeen: 0,
  decisionsSeen: 0,
  sending: false,
  optimizer: null,
  token: sessionStorage.getItem("infra-token") || "",
  me: null,
  incidents: [],
  outages: [],
  selected: null,
  detail: null,
  view: null,
  events: null,
  edit: null,
  editBase: null,
  whatIf: null,
  checkedKey: null,
  steps: [],
};

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) if (c !== undefined && c !== null) e.append(c instanceof Node ? c : String(c));
  return e;
}

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function api(path, options = {}) {
  const res = await fetch(path, {
    ...options,
    headers: {
      ...(options.body ? { "content-type": "application/json" } : {}),
      authorization: `Bearer ${state.token}`,
      ...(options.headers || {}),
    },
  });
  const text = await res.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = { error: text };
  }
  if (!res.ok)
    throw new ApiError(
      res.status,
      (body && body.error + (body.issues ? `: ${body.issues.join("; ")}` : "")) || res.statusText,
    );
  return body;
}

const minutes = (m) => {
  if (m === null || m === undefined || !Number.isFinite(m)) return "-";
  const r = Math.max(0, Math.round(m));
  return r >= 60 ? `${Math.floor(r / 60)} h ${String(r % 60).padStart(2, "0")} min` : `${r} min`;
};
const clock = (m) => {
  if (m === null || m === undefined) return "-";
  const r = Math.round(m);
  return `T+${String(Math.floor(r / 60)).padStart(2, "0")}:${String(r % 60).padStart(2, "0")}`;
};
const hhmm = (iso) => (iso ? new Date(iso).toISOString().slice(11, 16) + " UTC" : "assessing");
const num = (n) => (typeof n === "number" ? n.toLocaleString("en-US") : "-");

// ------------------------------------------------------------------ sign-in and role

async function signIn(token) {
  state.token = token;
  try {
    state.me = await api("/v1/me");
  } catch (e) {
    if (e.status === 401) {
      signOut(`That token was refused (${e.message}).`);
      return;
    }
    state.me = { name: "unknown", role: "unknown" };
  }
  sessionStorage.setItem("infra-token", token);
  $("#signin").hidden = true;
  $("#who").hidden = false;
  $("#who-name").textContent = state.me.name;
  $("#who-role").textContent = state.me.role;
  $("#who-role").className = `badge ${state.me.role}`;
  await refreshList();
  route();
}

function signOut(message) {
  sessionStorage.removeItem("infra-token");
  state.token = "";
  state.me = null;
  state.events?.close();
  $("#who").hidden = true;
  $("#signin").hidden = false;
  $("#list-status").textContent = message || "Sign in with your access token.";
  $("#token").focus();
}

const canDecide = () => state.me && state.me.role !== "viewer";

// ------------------------------------------------------------------ incident list

async function refreshList() {
  if (!state.token) return;
  try {
    const [list, outages] = await Promise.all([
      api("/v1/incidents"),
      api("/v1/outages").catch(() => ({ outages: [] })),
    ]);
    state.incidents = Array.isArray(list) ? list : list.incidents;
    state.outages = outages.outages || [];
    $("#list-status").textContent = `${state.incidents.length} incident(s)`;
  } catch (e) {
    $("#list-status").textContent = `Could not load the incidents: ${e.message}`;
    return;
  }
  const body = $("#incident-list tbody");
  body.replaceChildren(
    ...state.incidents.map((inc) => {
      const f = inc.figures || {};
      const etrs = state.outages.filter((o) => o.incidentId === inc.id);
      const latest = etrs.some((o) => !o.etr)
        ? "assessing"
        : etrs.length
          ? hhmm(
              etrs
                .map((o) => o.etr)
                .sort()
                .at(-1),
            )
          : "-";
      const open = () => {
        location.hash = `#/incidents/${encodeURIComponent(inc.id)}`;
      };
      return el(
        "tr",
        {
          class: "selectable",
          tabindex: 0,
          "aria-selected": String(inc.id === state.selected),
          "data-id": inc.id,
          onclick: open,
          onkeydown: (ev) => {
            if (ev.key === "Enter" || ev.key === " ") {
              ev.preventDefault();
              open();
            }
          },
        },
        el(
          "td",
          {},
          el("a", { href: `#/incidents/${encodeURIComponent(inc.id)}`, tabindex: -1 }, inc.title || inc.id),
          el("div", { class: "muted" }, inc.region),
          el("div", { class: `status-${inc.status}` }, inc.status.replace(/_/g, " ")),
        ),
        el(
          "td",
          {},
          el("b", {}, num(f.populationOut)),
          el(
            "div",
            { class: f.criticalFacilitiesOut?.length ? "error" : "muted" },
            `${f.criticalFacilitiesOut ? f.criticalFacilitiesOut.length : "-"} critical`,
          ),
        ),
        el(
          "td",
          {},
          inc.openedAt ? new Date(inc.openedAt).toISOString().slice(11, 16) + " UTC" : "-",
          el("div", { class: "muted" }, `out ${minutes(f.minutesToFullRestoration ?? f.worldMinute)}`),
        ),
        el("td", {}, latest),
        el("td", {}, inc.pendingDecision ? el("span", { class: "badge viewer" }, "waiting") : "-"),
      );
    }),
  );
}

// ------------------------------------------------------------------ one incident

function route() {
  const m = location.hash.match(/^#\/incidents\/(.+)$/);
  const id = m ? decodeURIComponent(m[1]) : null;
  if (id && id !== state.selected) openIncident(id);
}

async function openIncident(id) {
  state.selected = id;
  state.steps = [];
  state.requestsSeen = 0;
  state.decisionsSeen = 0;
  state.lastSeq = 0;
  state.edit = null;
  state.whatIf = null;
  state.checkedKey = null;
  $("#steps").replaceChildren();
  for (const tr of document.querySelectorAll("#incident-list tbody tr"))
    tr.setAttribute("aria-selected", String(tr.dataset.id === id));
  $("#empty").hidden = true;
  $("#incident").hidden = false;
  await reload();
  listen(id);
  $("#main").focus({ preventScroll: true });
}

let reloadTimer = null;
function reloadSoon() {
  clearTimeout(reloadTimer);
  reloadTimer = setTimeout(() => {
    reload();
    refreshList();
  }, 150);
}

async function reload() {
  const id = state.selected;
  if (!id) return;
  let detail, view, outages;
  try {
    [detail, view, outages] = await Promise.all([
      api(`/v1/incidents/${encodeURIComponent(id)}`),
      api(`/v1/incidents/${encodeURIComponent(id)}/view`).catch(() => null),
      api(`/v1/outages?incident=${encodeURIComponent(id)}`).catch(() => ({ outages: [] })),
    ]);
  } catch (e) {
    $("#inc-title").textContent = `Incident ${id}: ${e.message}`;
    return;
  }
  if (id !== state.selected) return;
  state.detail = detail;
  state.view = view;
  renderHead(detail, view);
  renderDecision(detail);
  renderView(view);
  renderAreas((outages.outages || []).filter((o) => o.incidentId === id));
  renderDispatches(detail);
  renderAudit(detail);
}

function renderHead(d, v) {
  $("#inc-title").textContent = `${d.title || d.id} · ${d.region} · ${d.status.replace(/_/g, " ")}`;
  const f = d.figures || {};
  const fig = (label, value) => el("span", {}, `${label} `, el("b", {}, value));
  $("#inc-figures").replaceChildren(
    fig("Customers out", num(v?.populationOut ?? f.populationOut)),
    fig("Critical facilities out", String((v?.criticalFacilitiesOut ?? f.criticalFacilitiesOut ?? []).length)),
    fig("World clock", clock(v?.worldMinute ?? f.worldMinute)),
    fig("Runs", String(d.runs ?? "-")),
    fig("Dispatches", String(d.dispatchCount ?? d.dispatches?.length ?? 0)),
    ...(v?.backups || [])
      .filter((b) => b.critical)
      .map((b) => fig(`${b.node} on backup`, b.minutesLeft > 0 ? `${minutes(b.minutesLeft)} left` : "run out")),
  );
}

function renderView(v) {
  if (!v) {
    $("#map").textContent = "The incident's world is not available yet.";
    return;
  }
  $("#map-minute").textContent = `at ${clock(v.worldMinute)}`;
  $("#map").innerHTML = v.mapSvg;
  $("#map-legend").innerHTML = v.legendHtml;
  $("#curve").innerHTML = v.curveSvg;
  $("#timeline").innerHTML = v.timelineSvg;
  $("#crews tbody").replaceChildren(
    ...v.crews.map((c) =>
      el(
        "tr",
        {},
        el("td", {}, c.id),
        el("td", {}, c.status.replace(/_/g, " ")),
        el("td", {}, c.currentAsset || "-"),
        el("td", {}, c.queue.join(" > ") || "-"),
      ),
    ),
  );
}

function renderAreas(outages) {
  $("#areas tbody").replaceChildren(
    ...(outages.length
      ? outages.map((o) =>
          el(
            "tr",
            {},
            el(
              "td",
              {},
              o.faults.join(" + "),
              o.criticalFacilities.length
                ? el("div", { class: "error" }, `critical: ${o.criticalFacilities.join(", ")}`)
                : null,
            ),
            el("td", {}, num(o.customersOut)),
            el("td", {}, hhmm(o.start)),
            el("td", {}, `${o.crewStatus.replace(/_/g, " ")}${o.crews.length ? ` (${o.crews.join(", ")})` : ""}`),
            el("td", {}, hhmm(o.etr)),
            el("td", { class: `conf-${o.etrConfidence}` }, o.etrConfidence),
            el(
              "td",
              { class: "why" },
              o.etrReason,
              o.etrHistory.length > 1
                ? el(
                    "details",
                    {},
                    el("summary", {}, `${o.etrHistory.length} ETRs`),
                    el(
                      "ol",
                      {},
                      ...o.etrHistory.map((h) =>
                        el("li", {}, `${hhmm(h.at)}: ${hhmm(h.etr)} (${h.confidence}) ${h.reason}`),
                      ),
                    ),
                  )
                : null,
            ),
          ),
        )
      : [el("tr", {}, el("td", { colspan: 7, class: "muted" }, "No outage area open."))]),
  );
}

function renderDispatches(d) {
  $("#dispatches tbody").replaceChildren(
    ...(d.dispatches || [])
      .slice()
      .reverse()
      .slice(0, 60)
      .map((x) =>
        el(
          "tr",
          {},
          el("td", {}, x.crewId),
          el("td", {}, x.assetId),
          el("td", {}, clock(x.at)),
          el("td", {}, x.deliveredAt ? "delivered" : "pending"),
        ),
      ),
  );
}

function renderAudit(d) {
  $("#audit tbody").replaceChildren(
    ...(d.decisions || []).map((a) => {
      const dec = a.detail?.decision || {};
      const what =
        dec.decision === "reject"
          ? `reason: ${dec.reason}`
          : dec.decision === "edit"
            ? (dec.plan?.assignments || []).map((x) => `${x.crew_id}: ${x.asset_ids.join(" > ")}`).join("; ")
            : "";
      return el(
        "tr",
        {},
        el("td", {}, new Date(a.at).toISOString().replace("T", " ").slice(0, 19)),
        el("td", {}, a.actor),
        el("td", {}, a.role),
        el("td", {}, a.action.replace(/^decision\./, "")),
        el("td", {}, what),
      );
    }),
  );
}

// ------------------------------------------------------------------ decisions

function planKey(assignments) {
  return JSON.stringify(assignments.map((a) => [a.crew_id, a.asset_ids]));
}

function renderDecision(d) {
  // A request is fresh only while the stream has shown more requests than decisions: between a
  // decision and the run that takes it, the service still lists the old request as pending.
  const req = d.pendingDecision && state.requestsSeen > state.decisionsSeen ? d.decisionRequest : null;
  $("#decision").hidden = !req;
  if (!req) {
    state.edit = null;
    return;
  }
  const base = req.plan.assignments.map((a) => ({ crew_id: a.crew_id, asset_ids: [...a.asset_ids] }));
  // Crews the plan leaves out may still take work in an edit.
  for (const c of state.view?.crews || [])
    if (!base.some((a) => a.crew_id === c.id)) base.push({ crew_id: c.id, asset_ids: [] });
  const key = `${state.requestsSeen}|${req.at}|${planKey(base)}`;
  if (state.editBase !== key) {
    state.editBase = key;
    state.sending = false;
    $("#dec-status").textContent = "";
    state.edit = base.map((a) => ({ ...a, asset_ids: [...a.asset_ids] }));
    state.whatIf = null;
    state.checkedKey = null;
    fetchOptimizer(base);
  }
  $("#dec-at").textContent = clock(req.at);
  $("#dec-source").textContent = req.source === "model" ? "the planning model" : req.source || "the planner";
  $("#dec-reasoning").textContent = req.reasoning || "(no reasoning given)";
  $("#dec-refused").hidden = !req.refused;
  if (req.refused) $("#dec-refused").textContent = `The last answer was not applied: ${req.refused.errors.join("; ")}`;
  const viewer = !canDecide();
  $("#dec-viewer").hidden = !viewer;
  $("#dec-actions").hidden = viewer;
  $("#reject").disabled = state.sending;
  $("#reset-edit").disabled = state.sending;
  renderCrewLists();
  renderEffects();
}

async function fetchOptimizer(plan) {
  try {
    const r = await api(`/v1/incidents/${encodeURIComponent(state.selected)}/what-if`, {
      method: "POST",
      body: JSON.stringify({ plan: { assignments: plan.filter((a) => a.asset_ids.length) } }),
    });
    state.optimizer = r.optimizer;
  } catch {
    state.optimizer = null;
  }
  renderEffects();
}

function renderCrewLists() {
  const proposed = new Map(
    state.detail.decisionRequest.plan.assignments.flatMap((a) => a.asset_ids.map((id, i) => [id, `${a.crew_id}#${i}`])),
  );
  const crews = state.edit.map((a) => a.crew_id);
  const disabled = !canDecide();
  $("#dec-crews").replaceChildren(
    ...state.edit.map((a, ci) =>
      el(
        "div",
        { class: "crew-list", "data-crew": a.crew_id },
        el("h5", {}, `${a.crew_id} `, el("span", { class: "muted" }, `${a.asset_ids.length} job(s)`)),
        el(
          "ol",
          {},
          ...(a.asset_ids.length
            ? a.asset_ids.map((id, i) =>
                el(
                  "li",
                  { class: proposed.get(id) === `${a.crew_id}#${i}` ? "" : "moved", "data-asset": id },
                  el("span", { class: "asset" }, id),
                  el(
                    "button",
                    {
                      type: "button",
                      "aria-label": `Move ${id} up in ${a.crew_id}'s list`,
                      disabled: disabled || i === 0,
                      onclick: () => moveWithin(ci, i, -1),
                    },
                    "↑",
                  ),
                  el(
                    "button",
                    {
                      type: "button",
                      "aria-label": `Move ${id} down in ${a.crew_id}'s list`,
                      disabled: disabled || i === a.asset_ids.length - 1,
                      onclick: () => moveWithin(ci, i, 1),
                    },
                    "↓",
                  ),
                  el(
                    "label",
                    { class: "muted" },
                    "to ",
                    el(
                      "select",
                      {
                        "aria-label": `Give ${id} to another crew`,
                        disabled,
                        onchange: (ev) => moveTo(ci, i, ev.target.value),
                      },
                      el("option", { value: "" }, "crew…"),
                      ...crews.filter((c) => c !== a.crew_id).map((c) => el("option", { value: c }, c)),
                    ),
                  ),
                ),
              )
            : [el("li", { class: "muted" }, "no jobs")]),
        ),
      ),
    ),
  );
}

function moveWithin(ci, i, d) {
  const list = state.edit[ci].asset_ids;
  [list[i], list[i + d]] = [list[i + d], list[i]];
  editChanged(`[data-asset="${CSS.escape(list[i + d])}"] button:nth-of-type(${d < 0 ? 1 : 2})`);
}

function moveTo(ci, i, crew) {
  if (!crew) return;
  const [id] = state.edit[ci].asset_ids.splice(i, 1);
  state.edit.find((a) => a.crew_id === crew).asset_ids.push(id);
  editChanged(`[data-asset="${CSS.escape(id)}"] select`);
}

function editChanged(focusSel) {
  state.whatIf = null;
  renderCrewLists();
  renderEffects();
  const f = focusSel && document.querySelector(`#dec-crews ${focusSel}`);
  if (f && !f.disabled) f.focus();
  $("#dec-status").textContent = "Plan edited: check its expected effect before sending it.";
}

function renderEffects() {
  const req = state.detail?.decisionRequest;
  if (!req) return;
  const edited =
    state.edit &&
    planKey(state.edit.filter((a) => a.asset_ids.length)) !==
      planKey(req.plan.assignments.filter((a) => a.asset_ids.length));
  const current = state.edit ? planKey(state.edit) : "";
  const rows = [
    ["Proposed plan", req.expectedEffect],
    ["Optimizer's proposal", state.optimizer?.expected],
  ];
  if (edited)
    rows.push(["Your edited plan", state.whatIf && state.checkedKey === current ? state.whatIf.expected : undefined]);
  const ref = req.expectedEffect?.weightedCustomerMinutes;
  $("#dec-effects tbody").replaceChildren(
    ...rows.map(([label, e]) =>
      el(
        "tr",
        { "data-row": label },
        el("th", { scope: "row" }, label),
        el(
          "td",
          {
            class:
              e && ref !== undefined && label !== "Proposed plan"
                ? e.weightedCustomerMinutes < ref
                  ? "better"
                  : e.weightedCustomerMinutes > ref
                    ? "worse"
                    : ""
                : "",
          },
          e ? num(e.weightedCustomerMinutes) : e === null ? "cannot be sent" : "not checked yet",
        ),
        el("td", {}, e ? num(e.customerMinutes) : "-"),
        el("td", {}, e ? (e.criticalFacilitiesLost.length ? e.criticalFacilitiesLost.join(", ") : "none") : "-"),
      ),
    ),
  );
  if (state.sending) {
    for (const b of document.querySelectorAll("#dec-actions button")) b.disabled = true;
    return;
  }
  $("#send-edit").disabled = !(
    edited &&
    state.whatIf &&
    state.checkedKey === current &&
    state.whatIf.errors.length === 0
  );
  $("#whatif").disabled = !edited;
  $("#approve").disabled = Boolean(edited);
}

async function checkEdit() {
  const key = planKey(state.edit);
  $("#dec-status").textContent = "Simulating the edited plan…";
  try {
    const r = await api(`/v1/incidents/${encodeURIComponent(state.selected)}/what-if`, {
      method: "POST",
      body: JSON.stringify({ plan: { assignments: state.edit.filter((a) => a.asset_ids.length) } }),
    });
    state.whatIf = r;
    state.checkedKey = key;
    state.optimizer = r.optimizer;
    $("#dec-status").textContent = r.errors.length
      ? `The edited plan cannot be sent: ${r.errors.join("; ")}`
      : `Edited plan: ${num(r.expected.weightedCustomerMinutes)} weighted customer-minutes expected (proposed: ${num(state.detail.decisionRequest.expectedEffect?.weightedCustomerMinutes)}).`;
  } catch (e) {
    $("#dec-status").textContent = `Could not check the plan: ${e.message}`;
  }
  renderEffects();
}

async function decide(body, label) {
  $("#dec-status").textContent = `Sending: ${label}…`;
  state.sending = true;
  for (const b of document.querySelectorAll("#dec-actions button")) b.disabled = true;
  try {
    await api(`/v1/incidents/${encodeURIComponent(state.selected)}/decision`, {
      method: "POST",
      body: JSON.stringify(body),
    });
    $("#dec-status").textContent = `${label}: sent, signed as ${state.me.name}. Waiting for the agent.`;
    state.editBase = null;
  } catch (e) {
    $("#dec-status").textContent = e.status === 403 ? "Your token may not decide (viewer)." : `Not sent: ${e.message}`;
    state.sending = false;
    for (const b of document.querySelectorAll("#dec-actions button")) b.disabled = false;
    renderEffects();
  }
  reloadSoon();
}

// ------------------------------------------------------------------ live events

function listen(id) {
  state.events?.close();
  const es = new EventSource(
    `/v1/incidents/${encodeURIComponent(id)}/events?access_token=${encodeURIComponent(state.token)}`,
  );
  state.events = es;
  es.onopen = () => {
    $("#live").hidden = false;
  };
  es.onerror = () => {
    $("#live").hidden = true;
  };
  const kinds = [
    "opened",
    "alert",
    "run_queued",
    "run_started",
    "step",
    "plan",
    "dispatch",
    "decision_requested",
    "decision",
    "run_ended",
    "drained",
    "resolved",
    "error",
  ];
  for (const k of kinds)
    es.addEventListener(k, (ev) => {
      if (state.selected === id) onEvent(k, JSON.parse(ev.data));
    });
}

function describeEvent(kind, e) {
  const d = e.data || {};
  switch (kind) {
    case "step":
      return `${d.state}${d.summary ? `: ${d.summary}` : ""}`;
    case "plan":
      return `${d.source || "plan"} at ${clock(d.at)}: ${(d.plan?.assignments || []).map((a) => `${a.crewId || a.crew_id} → ${(a.assetIds || a.asset_ids || []).join(" > ")}`).join("; ")}${d.valid === false ? " (invalid)" : ""}${d.operator ? ` [operator ${d.operator.decision}${d.operator.reason ? `: ${d.operator.reason}` : ""}]` : ""}`;
    case "dispatch":
      return `${(d.dispatches || []).length} dispatched: ${(d.dispatches || []).map((x) => `${x.crewId} → ${x.assetId}`).join(", ")}`;
    case "decision_requested":
      return "waiting for an operator's decision";
    case "decision":
      return `${d.decision} by ${d.by}${d.reason ? `: ${d.reason}` : ""}`;
    case "run_started":
      return `run started (${d.reason?.kind || ""}${d.reason?.message ? `: ${d.reason.message}` : ""})`;
    case "run_ended":
      return `run ended: ${d.status || ""} ${d.reason || ""}`;
    case "alert":
      return `alert: ${d.count ?? ""} ${d.message || ""}`;
    default:
      return d.message || d.reason || "";
  }
}

function onEvent(kind, e) {
  // A reconnecting stream may repeat events (the service resumes after Last-Event-ID, others replay).
  if (typeof e.seq === "number") {
    if (e.seq <= state.lastSeq) return;
    state.lastSeq = e.seq;
  }
  if (kind === "decision_requested") state.requestsSeen++;
  if (kind === "decision") state.decisionsSeen++;
  const li = el(
    "li",
    { "data-kind": kind },
    el("span", { class: `k ev-${kind}` }, kind.replace(/_/g, " ")),
    describeEvent(kind, e),
  );
  const list = $("#steps");
  list.append(li);
  while (list.children.length > 300) list.firstChild.remove();
  list.scrollTop = list.scrollHeight;
  if (["plan", "dispatch", "decision_requested", "decision", "run_ended", "resolved", "error"].includes(kind))
    reloadSoon();
}

// ------------------------------------------------------------------ start

$("#signin").addEventListener("submit", (ev) => {
  ev.preventDefault();
  signIn($("#token").value.trim());
});
$("#signout").addEventListener("click", () => signOut());
$("#approve").addEventListener("click", () => decide({ decision: "approve" }, "Approved"));
$("#reject").addEventListener("click", () => {
  const reason = $("#reject-reason").value.trim();
  if (!reason) {
    $("#dec-status").textContent = "Give a reason to reject: the planner is told it.";
    $("#reject-reason").focus();
    return;
  }
  decide({ decision: "reject", reason }, "Rejected");
  $("#reject-reason").value = "";
});
$("#whatif").addEventListener("click", checkEdit);
// An edit may move queued work between or within lists: it says so (reassign), as the what-if judged it.
$("#send-edit").addEventListener("click", () =>
  decide(
    {
      decision: "edit",
      plan: {
        assignments: state.edit.filter((a) => a.asset_ids.length),
        reasoning: `edited by ${state.me.name}`,
        reassign: true,
      },
    },
    "Edited plan sent",
  ),
);
$("#reset-edit").addEventListener("click", () => {
  state.editBase = null;
  renderDecision(state.detail);
  $("#dec-status").textContent = "Edits undone.";
});
window.addEventListener("hashchange", route);
setInterval(() => {
  if (state.token) refreshList();
}, 10_000);
if (state.token) signIn(state.token);
else signOut();
