// The seat-map page in Debian's chromium (headless, playwright-core), against
// the HTTP example on 127.0.0.1 with a temporary store. Two buyers in two
// browser contexts; every wait is bounded. Run: node --test tests/browser/
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { startServer, chromiumPath, chromiumArgs, HOSTILE_MOVIE, HOSTILE_VENUE } from "./harness.mjs";

const HOLD_TTL = 4;  // seconds: the server's hold lifetime, short to watch it run out
let srv, browser, ctxA, ctxB, pageA, pageB;
const problems = [];  // page errors, console errors (CSP violations among them), dialogs
const refusals = [];  // 4xx answers the pages got: each test says which it expects
let ticketCode = null;
const confirms = [];  // confirm requests sent, by buyer

function watch(page, who) {
  page.on("pageerror", (e) => problems.push(`${who} pageerror: ${e.message}`));
  page.on("console", (m) => {
    // chromium logs every 4xx answer; those are checked one by one in refusals
    if (m.type() === "error" && !/status of 4\d\d/.test(m.text())) problems.push(`${who} console: ${m.text()}`);
  });
  page.on("request", (r) => { if (/\/confirm$/.test(r.url())) confirms.push(who); });
  page.on("response", (r) => {
    if (r.status() >= 400) refusals.push(`${who} ${r.request().method()} ${new URL(r.url()).pathname} ${r.status()}`);
  });
  page.on("dialog", (d) => { problems.push(`${who} dialog: ${d.message()}`); d.dismiss(); });
  page.setDefaultTimeout(10000);
  return page;
}

async function newBuyer(who) {
  const ctx = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  return [ctx, watch(await ctx.newPage(), who)];
}

const ready = (page, ms = 15000) =>
  page.waitForFunction(() => window.tixPage && window.tixPage.ready, null, { timeout: ms });

const seatIndex = (page, label) => page.evaluate((l) => window.tixPage.app.map.findByLabel(l), label);
const stateOf = (page, i) => page.evaluate((k) => window.tixPage.app.map.states[k], i);

async function clickSeat(page, i) {
  const { x, y } = await page.evaluate((k) => window.tixPage.app.map.centerOf(k), i);
  await page.mouse.click(x, y);
}

async function api(path) {
  const r = await fetch(srv.base + path);
  assert.equal(r.status, 200, path);
  return r.json();
}

before(async () => {
  srv = await startServer({ holdTtl: HOLD_TTL });
  browser = await chromium.launch({ executablePath: chromiumPath(), args: chromiumArgs(), timeout: 30000 });
  [ctxA, pageA] = await newBuyer("A");
  [ctxB, pageB] = await newBuyer("B");
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

test("every response carries the CSP; the pages load only their own module", async () => {
  for (const p of ["/", "/gate", "/web/app.js", "/venues", "/nope"]) {
    const r = await fetch(srv.base + p);
    assert.match(r.headers.get("content-security-policy") || "", /default-src 'self'/, p);
    assert.equal(r.headers.get("x-content-type-options"), "nosniff", p);
  }
  assert.equal((await fetch(srv.base + "/web/../python/http_api.py")).status, 404);
});

test("hostile venue and movie names render as text", async () => {
  await pageA.goto(srv.base + "/");
  const venueOpt = pageA.locator("#venue option", { hasText: "onerror" });
  await venueOpt.waitFor({ state: "attached" });
  assert.equal(await venueOpt.textContent(), `${HOSTILE_VENUE} (Pune)`);
  await pageA.selectOption("#venue", await venueOpt.getAttribute("value"));
  const movieOpt = pageA.locator("#movie option", { hasText: "alert(1)" });
  await movieOpt.waitFor({ state: "attached" });
  assert.equal(await movieOpt.textContent(), HOSTILE_MOVIE);
  await pageA.selectOption("#movie", await movieOpt.getAttribute("value"));
  await pageA.selectOption("#show", srv.shows.hostileVenue);
  await ready(pageA);
  const title = await pageA.textContent("#show-title");
  assert.ok(title.startsWith(`${HOSTILE_MOVIE} — ${HOSTILE_VENUE}, <b>Screen</b>`), title);
  assert.equal(await pageA.locator("script").count(), 1, "only the page's own module");
  assert.equal(await pageA.locator("img[src=x], #show-title b").count(), 0);
  assert.deepEqual(problems, []);
  assert.deepEqual(refusals, []);
});

test("A holds 2 seats; B sees them held within 2 s and cannot take them", async () => {
  await pageA.goto(srv.base + "/");
  await pageA.selectOption("#venue", { label: "Lotus Multiplex Andheri (Mumbai)" });
  await pageA.locator("#movie option", { hasText: "alert(1)" }).waitFor({ state: "attached" });
  await pageA.selectOption("#movie", { label: HOSTILE_MOVIE });
  await pageA.selectOption("#show", srv.shows.multiplex);
  await ready(pageA);
  await pageB.goto(`${srv.base}/?show=${srv.shows.multiplex}`);
  await ready(pageB);

  const a5 = await seatIndex(pageA, "A5"), a6 = await seatIndex(pageA, "A6");
  await clickSeat(pageA, a5);
  await clickSeat(pageA, a6);
  assert.equal(await pageA.textContent("#selection"), "Selected: A5, A6");
  await pageA.click("#hold");
  await pageA.locator("#held").waitFor({ state: "visible" });
  const t0 = Date.now();
  await pageB.waitForFunction(([i, j]) => {
    const s = window.tixPage.app.map.states;
    return s[i] === 1 && s[j] === 1;
  }, [a5, a6], { timeout: 2000 });
  const seen = Date.now() - t0;
  assert.ok(seen < 2000, `B saw the hold after ${seen} ms`);

  await clickSeat(pageB, a5);
  assert.match(await pageB.textContent("#status"), /A5 is held/);
  assert.equal(await pageB.textContent("#selection"), "Click free seats on the map.");
  assert.match(await pageA.textContent("#countdown"), /^0:0[0-4]$/);
});

test("a choice that strands a seat is refused with the reason", async () => {
  // A7 would be left alone between A's A6 and B's A8, A9
  const a8 = await seatIndex(pageB, "A8"), a9 = await seatIndex(pageB, "A9");
  await clickSeat(pageB, a8);
  await clickSeat(pageB, a9);
  await pageB.click("#hold");
  await pageB.waitForFunction(() => /single seat/.test(document.getElementById("status").textContent));
  assert.match(await pageB.textContent("#status"), /A7 would be left as a single seat/);
  assert.equal(await pageB.isVisible("#held"), false);
  assert.deepEqual(refusals.splice(0), [`B POST /shows/${srv.shows.multiplex}/holds 409`]);
  await pageB.click("#clear");
});

test("A's short hold runs out and B sees the seats free again", async () => {
  const a5 = await seatIndex(pageB, "A5"), a6 = await seatIndex(pageB, "A6");
  await pageA.waitForFunction(() => /ran out/.test(document.getElementById("status").textContent),
    null, { timeout: (HOLD_TTL + 3) * 1000 });
  await pageB.waitForFunction(([i, j]) => {
    const s = window.tixPage.app.map.states;
    return s[i] === 0 && s[j] === 0;
  }, [a5, a6], { timeout: 4000 });
  assert.equal(await pageA.isVisible("#held"), false);
});

test("extend pushes the expiry out", async () => {
  await pageA.fill("#best-n", "3");
  await pageA.click("#best-go");
  await pageA.locator("#held").waitFor({ state: "visible" });
  const before = await pageA.evaluate(() => window.tixPage.app.hold.expires);
  await pageA.waitForTimeout(1200);
  await pageA.click("#extend");
  await pageA.waitForFunction((b) => window.tixPage.app.hold && window.tixPage.app.hold.expires > b, before);
  await pageA.click("#release");
  await pageA.locator("#held").waitFor({ state: "hidden" });
});

test("A pays with a double click: exactly one booking, tickets with QR codes", async () => {
  const a5 = await seatIndex(pageA, "A5"), a6 = await seatIndex(pageA, "A6");
  await pageA.waitForFunction(([i, j]) => {
    const s = window.tixPage.app.map.states;
    return s[i] === 0 && s[j] === 0;
  }, [a5, a6]);
  await clickSeat(pageA, a5);
  await clickSeat(pageA, a6);
  await pageA.click("#hold");
  await pageA.locator("#held").waitFor({ state: "visible" });
  await pageA.dblclick("#pay-go");
  await pageA.locator("#tickets").waitFor({ state: "visible" });
  const { bookings } = await api(`/shows/${srv.shows.multiplex}/bookings`);
  assert.equal(bookings.length, 1, JSON.stringify(bookings));
  assert.deepEqual(bookings[0].seats.map((s) => s.seat).sort(), [a5, a6].sort());
  await pageA.waitForFunction(() => {
    const img = document.querySelector(".ticket img");
    return img && img.complete && img.naturalWidth > 0;
  });
  ticketCode = await pageA.getAttribute(".ticket", "data-code");
  assert.ok(ticketCode);
  await pageB.waitForFunction((i) => window.tixPage.app.map.states[i] === 3, a5, { timeout: 2000 });
  assert.deepEqual(confirms, ["A", "A"], "the double click sent two confirms");
  assert.deepEqual(refusals.splice(0), [], "both confirms of the double click answered 201");
});

test("the gate checks the ticket in once and shows the first check-in on a second try", async () => {
  assert.ok(ticketCode, "needs the ticket of the previous test");
  await pageA.goto(srv.base + "/gate");
  await pageA.fill("#code", ticketCode);
  await pageA.fill("#gate", "North 3");
  await pageA.click("button[type=submit]");
  await pageA.locator("#result.ok").waitFor();
  assert.match(await pageA.textContent("#result"), /2 seats for <script>alert\(1\)<\/script>.*North 3/s);
  await pageA.fill("#gate", "South 1");
  await pageA.click("button[type=submit]");
  await pageA.locator("#result.again").waitFor();
  const again = await pageA.textContent("#result");
  assert.match(again, /Already checked in/);
  assert.match(again, /First check-in: North 3/);
  assert.deepEqual(refusals.splice(0), ["A POST /checkin 409"]);
});

test("the 150,000-seat stadium loads and zooms within bounds", async () => {
  const t0 = Date.now();
  await pageB.goto(`${srv.base}/?show=${srv.shows.stadium}`);
  await ready(pageB, 30000);
  const loadMs = Date.now() - t0;
  const box = await pageB.locator("#map").boundingBox();
  const cx = box.x + box.width / 2, cy = box.y + box.height / 3;
  await pageB.mouse.move(cx, cy);
  const z0 = Date.now();
  for (let k = 0; k < 12; k++) {
    await pageB.mouse.wheel(0, -240);
    await pageB.waitForTimeout(16);
  }
  await pageB.waitForTimeout(300);  // the sharp redraw after the gesture
  const zoomMs = Date.now() - z0;
  const m = await pageB.evaluate(() => {
    const map = window.tixPage.app.map;
    return { px: map.seatPx(), draws: map.draws, last: map.lastDrawMs };
  });
  assert.ok(m.px > 10, `zoomed in: seats ${m.px} px`);
  assert.ok(m.last < 250, `a zoomed-in draw took ${m.last} ms`);
  await pageB.click("#zoom-fit");
  await pageB.waitForTimeout(200);
  const full = await pageB.evaluate(() => window.tixPage.app.map.lastDrawMs);
  assert.ok(full < 1500, `the whole stadium drew in ${full} ms`);
  assert.ok(loadMs < 20000 && zoomMs < 10000, `load ${loadMs} ms, zoom ${zoomMs} ms`);
  console.log(`# stadium: load ${loadMs} ms, 12 wheel steps ${zoomMs} ms, ` +
    `full draw ${full.toFixed(1)} ms, zoomed draw ${m.last.toFixed(1)} ms`);
  assert.deepEqual(problems, []);
  assert.deepEqual(refusals, []);
});
