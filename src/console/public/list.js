/*
 * The incident list: status, people and critical facilities out, start, time so far, the latest
 * ETR of its outage areas (from /v1/outages), and whether a decision is waiting.
 */
import { $, api, el, hhmm, minutes, num, state } from "./core.js";

export async function refreshList() {
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
