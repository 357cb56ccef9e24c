// Atoll dev script (`atoll serve --dev`): reloads the tab when the site changes and
// shows content errors in place. Served at /api/_atoll/dev.js, never in production.
const events = new EventSource("/api/_atoll/events");
let stamp = null;

function showError(message) {
  document.title = "Error — Atoll dev";
  const main = document.createElement("main");
  main.id = "atoll-dev-error";
  const title = document.createElement("h1");
  title.textContent = "The content cannot be loaded";
  const pre = document.createElement("pre");
  pre.textContent = message;
  main.append(title, pre);
  document.body.replaceChildren(main);
}

events.addEventListener("hello", (event) => {
  const state = JSON.parse(event.data);
  // A stamp that moved while the tab was away (or a server restart) means a reload
  // was missed.
  if (stamp !== null && state.stamp !== stamp) location.reload();
  stamp = state.stamp;
  if (state.error) {
    showError(state.error);
  } else if (document.getElementById("atoll-dev-error")) {
    location.reload();
  }
  document.documentElement.dataset.atollDev = "connected";
});
events.addEventListener("reload", () => location.reload());
events.addEventListener("failure", (event) => showError(event.data));
