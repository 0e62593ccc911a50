// The seat-map page: pick a show, choose seats, hold, pay, get tickets.
// Every name from the store goes in with textContent or new Option(), never
// as HTML.
import { get, post, call, newKey, StatePoller } from "./api.js";
import { SeatMap, TIER_COLORS, COLORS, STATE, STATE_NAMES, FLAG } from "./seatmap.js";

const $ = (id) => document.getElementById(id);
const app = { shows: [], show: null, layout: null, map: null, poller: null,
  selected: new Set(), hold: null, payRef: null, user: null, booking: null,
  skew: 0, timer: 0 };
window.tixPage = { app, ready: false };

function say(text, error = false) {
  const s = $("status");
  s.textContent = text;
  s.classList.toggle("error", error);
}

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

function fill(select, items, placeholder) {
  select.replaceChildren(new Option(placeholder, ""), ...items.map(([v, t]) => new Option(t, v)));
  select.disabled = !items.length;
}

// ---- choosing ---------------------------------------------------------------
async function loadVenues() {
  const { venues } = await get("/venues");
  fill($("venue"), venues.map((v) => [v.id, `${v.name} (${v.city})`]), "Choose a venue");
}

async function pickVenue(id) {
  fill($("movie"), [], "…");
  fill($("show"), [], "…");
  if (!id) return;
  const out = await get(`/venues/${id}/shows?days=14`);
  app.shows = out.shows;
  const movies = new Map(app.shows.map((s) => [s.movie_id, s.movie]));
  fill($("movie"), [...movies], movies.size ? "Choose a movie or event" : "No shows in the next two weeks");
}

function pickMovie(id) {
  const shows = app.shows.filter((s) => String(s.movie_id) === String(id));
  fill($("show"), shows.map((s) => [s.id, `${s.start_local} · ${s.free} free`]), "Choose a show");
}

async function openShow(id) {
  if (!id) return;
  stopShow();
  say("Loading the seat map…");
  const [show, layout] = await Promise.all([get(`/shows/${id}`), get(`/shows/${id}/layout`)]);
  app.show = show;
  app.layout = layout;
  $("stage").hidden = false;
  $("panel").hidden = false;
  $("show-title").textContent = `${show.movie} — ${show.venue}, ${show.screen}, ${show.start_local}`;
  $("best-n").max = show.hold_max_seats;
  fill($("best-tier"), layout.tiers.map((t) => [t.id, `${t.name} ${t.price}`]), "cheapest with room");
  app.map = new SeatMap($("map"), layout);
  app.map.onSeatClick = clickSeat;
  app.map.onHover = hover;
  legend(layout);
  history.replaceState(null, "", `/?show=${id}`);
  await new Promise((done) => {
    app.poller = new StatePoller(id, (u8) => { onStates(u8); done(); }).start();
  });
  say(`${layout.seat_count.toLocaleString()} seats. Click free seats, or ask for the best ones.`);
  window.tixPage.ready = true;
}

function stopShow() {
  if (app.poller) app.poller.stop();
  dropHold();
  app.selected = new Set();
  window.tixPage.ready = false;
}

function legend(layout) {
  const item = (color, text, cls) => {
    const li = el("li");
    const sw = el("span", null, "sw" + (cls ? " " + cls : ""));
    sw.style.background = color;
    li.append(sw, el("span", text));
    return li;
  };
  $("legend").replaceChildren(
    ...layout.tiers.map((t, k) => item(TIER_COLORS[k % TIER_COLORS.length], `${t.name} ${t.price}`)),
    item(COLORS.selected, "Selected"), item(COLORS.mine, "Held for you"),
    item(COLORS.held, "Held"), item(COLORS.booked, "Booked"), item(COLORS.blocked, "Blocked"),
    item("#ffffff", "Wheelchair space", "round wheelchair"), item("#ffffff", "Companion seat", "companion"));
}

function hover(i, x, y) {
  const tip = $("tip");
  if (i < 0) { tip.hidden = true; return; }
  const tier = app.layout.tiers[app.layout.t[i]];
  const f = app.layout.f[i];
  const kind = f & FLAG.WHEELCHAIR ? " · wheelchair" : f & FLAG.COMPANION ? " · companion" : "";
  tip.textContent = `${app.map.label(i)} · ${tier ? tier.name + " " + tier.price : ""} · ${seatState(i)}${kind}`;
  tip.style.left = `${x + 14}px`;
  tip.style.top = `${y + 10}px`;
  tip.hidden = false;
}

function seatState(i) {
  if (app.selected.has(i)) return "selected";
  if (app.hold && app.hold.seats.includes(i)) return "held for you";
  return STATE_NAMES[app.map.states[i]];
}

// ---- live states and selection ---------------------------------------------
function onStates(u8) {
  app.map.setStates(u8);
  const lost = [...app.selected].filter((i) => u8[i] !== STATE.FREE);
  if (lost.length) {
    lost.forEach((i) => app.selected.delete(i));
    showSelection();
    say(`${lost.map((i) => app.map.label(i)).join(", ")} just went to another buyer.`, true);
  }
}

function clickSeat(i) {
  const name = app.map.label(i);
  if (app.hold) { say("You hold seats already: pay for them or release them to choose again."); return; }
  if (app.selected.has(i)) {
    app.selected.delete(i);
  } else if (app.map.states[i] !== STATE.FREE) {
    say(`${name} is ${STATE_NAMES[app.map.states[i]]}: choose a free seat.`, true);
    return;
  } else if (app.selected.size >= app.show.hold_max_seats) {
    say(`One hold takes at most ${app.show.hold_max_seats} seats.`, true);
    return;
  } else {
    app.selected.add(i);
  }
  say("");
  showSelection();
}

function showSelection() {
  const names = [...app.selected].sort((a, b) => a - b).map((i) => app.map.label(i));
  $("selection").textContent = names.length ? `Selected: ${names.join(", ")}` : "Click free seats on the map.";
  $("hold").disabled = !names.length || !!app.hold;
  $("clear").disabled = !names.length;
  app.map.setSelected(new Set(app.selected));
}

function explain(e) {
  if (e.code === "TIX_ESTRAND") return `Not held: ${e.message}`;
  if (e.code === "TIX_ECONFLICT") return `Not held: ${e.message}. Someone else has it now; choose again.`;
  if (e.code === "TIX_ELIMIT") return `Not held: ${e.message}`;
  return `${e.code || "Error"}: ${e.message}`;
}

async function holdSelected() {
  const seats = [...app.selected].sort((a, b) => a - b);
  try {
    const h = await post(`/shows/${app.show.id}/holds`, { seats, no_orphans: true, request_key: newKey("h-") });
    setHold(h);
  } catch (e) {
    say(explain(e), true);
  }
}

async function holdBest(e) {
  e.preventDefault();
  const n = Number($("best-n").value), tier = $("best-tier").value;
  const body = { best: n, request_key: newKey("b-") };
  if (tier) body.tier = Number(tier);
  try {
    setHold(await post(`/shows/${app.show.id}/holds`, body));
  } catch (err) {
    say(err.code === "TIX_ECONFLICT" ? `No ${n} seats side by side are free${tier ? " in that tier" : ""}.` : explain(err), true);
  }
}

// ---- the hold ---------------------------------------------------------------
function setHold(h) {
  const fresh = !app.hold;
  app.hold = h;
  if (fresh) app.payRef = newKey("pay-");
  app.skew = Date.parse(h.now) / 1000 - Date.now() / 1000;
  app.selected = new Set();
  showSelection();
  app.map.setMine(new Set(h.seats));
  $("held").hidden = false;
  $("tickets").hidden = !app.booking;
  $("held-seats").textContent = h.labels.join(", ");
  $("held-total").textContent = h.total;
  $("pay-go").textContent = `Pay ${h.total}`;
  clearInterval(app.timer);
  app.timer = setInterval(tick, 250);
  tick();
  say(`Held ${h.labels.join(", ")}.`);
  app.poller.now();
}

function tick() {
  if (!app.hold) return;
  const left = Math.ceil(Date.parse(app.hold.expires) / 1000 - (Date.now() / 1000 + app.skew));
  const c = $("countdown");
  if (left <= 0) {
    dropHold();
    say("Your hold ran out and the seats are back on sale. Choose again.", true);
    return;
  }
  c.textContent = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
  c.classList.toggle("low", left <= 30);
}

function dropHold() {
  clearInterval(app.timer);
  app.hold = null;
  if (app.map) app.map.setMine(new Set());
  $("held").hidden = true;
  $("countdown").textContent = "–";
  showSelectionSafe();
  if (app.poller) app.poller.now();
}

function showSelectionSafe() { if (app.map) showSelection(); }

async function extend() {
  try {
    setHold(await post(`/holds/${app.hold.hold}/extend`, {}));
  } catch (e) {
    say(explain(e), true);
  }
}

async function release() {
  const h = app.hold;
  dropHold();
  try { await call("DELETE", `/holds/${h.hold}`); say("Released."); } catch (e) { say(explain(e), true); }
}

// ---- paying -----------------------------------------------------------------
// The payment reference is made once per hold: a second click, a retry or a
// reload of the answer sends the same one, and the engine returns the same
// booking instead of booking twice.
async function pay(e) {
  e.preventDefault();
  const h = app.hold;
  if (!h) return;
  const ref = app.payRef;
  try {
    app.user = app.user || post("/users", { name: $("pay-name").value, email: $("pay-email").value });
    const user = await app.user;
    const body = { user: user.id, payment_ref: ref, seats_per_ticket: 0,
      charged: { amount_minor: h.total_minor, currency: h.currency } };
    let b;
    try {
      b = await post(`/holds/${h.hold}/confirm`, body);
    } catch (err) {
      if (err.status !== 409 || err.code === "TIX_EPRICE") throw err;
      await new Promise((r) => setTimeout(r, 300));  // the other click's confirm is committing
      b = await post(`/holds/${h.hold}/confirm`, body);
    }
    booked(b);
  } catch (err) {
    app.user = null;
    say(`Payment not booked: ${explain(err)}`, true);
  }
}

function booked(b) {
  if (app.booking && app.booking.id === b.id) return;  // the second click's answer
  app.booking = b;
  clearInterval(app.timer);
  app.hold = null;
  app.map.setMine(new Set());
  $("held").hidden = true;
  $("tickets").hidden = false;
  $("ticket-list").replaceChildren(...b.tickets.map((t) => ticket(b, t)));
  say(`Booked: booking ${b.id}, ${b.total}.`);
  app.poller.now();
}

function ticket(b, t) {
  const box = el("div", null, "ticket");
  const img = el("img");
  img.src = t.qr_url;
  img.alt = `QR code of ticket ${t.code}`;
  const info = el("div");
  info.append(el("div", b.movie), el("div", `${b.venue} · ${app.show.start_local}`),
    el("div", `Seats ${t.labels.join(", ")}`), el("code", t.code));
  box.append(img, info);
  box.dataset.code = t.code;
  return box;
}

// ---- wiring -----------------------------------------------------------------
function byName(e) {
  e.preventDefault();
  const i = app.map.findByLabel($("seat-name").value);
  if (i < 0) { say(`No seat ${$("seat-name").value} here.`, true); return; }
  app.map.zoomToSeat(i);
  clickSeat(i);
}

async function fromUrl() {
  const id = new URLSearchParams(location.search).get("show");
  if (!id) return;
  const show = await get(`/shows/${id}`);
  $("venue").value = String(show.venue_id);
  await pickVenue(show.venue_id);
  $("movie").value = String(show.movie_id);
  pickMovie(show.movie_id);
  $("show").value = String(show.id);
  await openShow(show.id);
}

function guard(fn) {
  return (...a) => Promise.resolve(fn(...a)).catch((e) => say(explain(e), true));
}

$("venue").addEventListener("change", guard((e) => pickVenue(e.target.value)));
$("movie").addEventListener("change", (e) => pickMovie(e.target.value));
$("show").addEventListener("change", guard((e) => openShow(e.target.value)));
$("hold").addEventListener("click", guard(holdSelected));
$("clear").addEventListener("click", () => { app.selected = new Set(); showSelection(); });
$("best").addEventListener("submit", guard(holdBest));
$("extend").addEventListener("click", guard(extend));
$("release").addEventListener("click", guard(release));
$("pay").addEventListener("submit", guard(pay));
$("by-name").addEventListener("submit", byName);
$("zoom-in").addEventListener("click", () => app.map && app.map.zoomAt(1.5, app.map.w / 2, app.map.h / 2));
$("zoom-out").addEventListener("click", () => app.map && app.map.zoomAt(1 / 1.5, app.map.w / 2, app.map.h / 2));
$("zoom-fit").addEventListener("click", () => app.map && app.map.fit());
loadVenues().then(fromUrl).catch((e) => say(explain(e), true));
