/*
 * One incident: its head figures, the live map, curve and timeline (SVG drawn by the service),
 * the crews, the outage areas with their ETRs and reasons, the dispatches and the audit trail.
 * Opening one starts its event stream (events.js); its pending decision is decisions.js's.
 */
import { $, api, clock, el, hhmm, hooks, minutes, num, state } from "./core.js";
import { renderDecision } from "./decisions.js";
import { listen } from "./events.js";
import { refreshList } from "./list.js";

export function route() {
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
export function reloadSoon() {
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
  // A refresh whose view failed (the incident busy, a timeout) keeps the last view shown, marked as not refreshed.
  const stale = !view && state.view && state.detail?.id === id;
  if (stale) view = state.view;
  state.detail = detail;
  state.view = view;
  renderHead(detail, view);
  renderDecision(detail);
  renderView(view, stale);
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

function renderView(v, stale = false) {
  if (!v) {
    $("#map").textContent = "The incident's world is not available yet.";
    return;
  }
  $("#map-minute").textContent = `at ${clock(v.worldMinute)}${stale ? " (not refreshed: the last view)" : ""}`;
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

hooks.reloadSoon = reloadSoon;
