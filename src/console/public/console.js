/*
 * The operator console: vanilla JS modules, no framework, no build step, no outside resource.
 * This one signs in and starts the page; the others, by concern: core.js (state, the API,
 * formatting), list.js (the incident list), incident.js (one incident: map, curve, areas,
 * dispatches, audit), decisions.js (approve, reject, edit with its what-if), events.js (the
 * live steps by server-sent events).
 */
import { $, api, state } from "./core.js";
import { wireDecisions } from "./decisions.js";
import { route } from "./incident.js";
import { refreshList } from "./list.js";

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

$("#signin").addEventListener("submit", (ev) => {
  ev.preventDefault();
  signIn($("#token").value.trim());
});
$("#signout").addEventListener("click", () => signOut());
wireDecisions();
window.addEventListener("hashchange", route);
setInterval(() => {
  if (state.token) refreshList();
}, 10_000);
if (state.token) signIn(state.token);
else signOut();
