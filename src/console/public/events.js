/*
 * The incident's live events (server-sent events: the agent's steps, plans, dispatches, decisions
 * as they happen), listed as they arrive; a change the page shows makes it reload.
 */
import { $, clock, el, hooks, state } from "./core.js";

export function listen(id) {
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
    hooks.reloadSoon();
}
