/*
 * Decisions: the plan waiting for approval with each crew's list, its expected effect next to the
 * optimizer's proposal and, once edited, the edited plan's (the what-if); approve, reject with a
 * reason, edit and send. A viewer sees it all with every control disabled.
 */
import { $, api, canDecide, clock, el, hooks, num, state } from "./core.js";

function planKey(assignments) {
  return JSON.stringify(assignments.map((a) => [a.crew_id, a.asset_ids]));
}

export function renderDecision(d) {
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
  hooks.reloadSoon();
}

/** The decision's buttons, once at start. */
export function wireDecisions() {
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
}
