/*
 * The operator console's shared pieces: the page's state, building elements, the service's API
 * (the operator's bearer token, kept in this tab's sessionStorage only), and how figures are
 * written. `hooks.reloadSoon` is set by incident.js: modules that see a change ask for a reload
 * through it, without importing the incident's module.
 */
export const $ = (sel) => document.querySelector(sel);
export const state = {
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

export function el(tag, attrs = {}, ...children) {
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

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export async function api(path, options = {}) {
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

export const minutes = (m) => {
  if (m === null || m === undefined || !Number.isFinite(m)) return "-";
  const r = Math.max(0, Math.round(m));
  return r >= 60 ? `${Math.floor(r / 60)} h ${String(r % 60).padStart(2, "0")} min` : `${r} min`;
};
export const clock = (m) => {
  if (m === null || m === undefined) return "-";
  const r = Math.round(m);
  return `T+${String(Math.floor(r / 60)).padStart(2, "0")}:${String(r % 60).padStart(2, "0")}`;
};
export const hhmm = (iso) => (iso ? new Date(iso).toISOString().slice(11, 16) + " UTC" : "assessing");
export const num = (n) => (typeof n === "number" ? n.toLocaleString("en-US") : "-");

export const canDecide = () => state.me && state.me.role !== "viewer";

/** Set by incident.js: reload the incident and the list shortly (several changes make one reload). */
export const hooks = { reloadSoon: () => {} };
