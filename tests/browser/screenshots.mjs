// Writes the README's pictures of the seat-map page: docs/seatmap-multiplex.png
// and docs/seatmap-stadium.png. Not a test: `node tests/browser/screenshots.mjs`
// after `make test-browser` has installed what it needs.
import path from "node:path";
import { chromium } from "playwright-core";
import { REPO, startServer, chromiumPath, chromiumArgs } from "./harness.mjs";

async function post(base, p, body) {
  const r = await fetch(base + p, { method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body) });
  return r.json();
}

// Other buyers: some seats held, some booked.
async function crowd(base, show, holds, booked) {
  const user = await post(base, "/users", { name: "Someone", email: "someone@example.com" });
  for (let k = 0; k < holds + booked; k++) {
    const h = await post(base, `/shows/${show}/holds`, { best: 2 + (k % 5), ttl: 600 });
    if (k < booked && h.hold) {
      await post(base, `/holds/${h.hold}/confirm`, { user: user.id, payment_ref: `shot-${show}-${k}` });
    }
  }
}

const srv = await startServer({ holdTtl: 600 });
const browser = await chromium.launch({ executablePath: chromiumPath(), args: chromiumArgs(), timeout: 30000 });
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 720 } });
  await crowd(srv.base, srv.shows.multiplex, 4, 8);
  await page.goto(`${srv.base}/?show=${srv.shows.multiplex}`);
  await page.waitForFunction(() => window.tixPage && window.tixPage.ready);
  for (const l of ["G9", "G10"]) {
    const i = await page.evaluate((x) => window.tixPage.app.map.findByLabel(x), l);
    const { x, y } = await page.evaluate((k) => window.tixPage.app.map.centerOf(k), i);
    await page.mouse.click(x, y);
  }
  await page.click("#hold");
  await page.locator("#held").waitFor({ state: "visible" });
  await page.screenshot({ path: path.join(REPO, "docs", "seatmap-multiplex.png") });

  await crowd(srv.base, srv.shows.stadium, 150, 250);
  await page.goto(`${srv.base}/?show=${srv.shows.stadium}`);
  await page.waitForFunction(() => window.tixPage && window.tixPage.ready, null, { timeout: 30000 });
  // the upper ring's best seats (taken first) with the middle ring below
  await page.evaluate(() => {
    const map = window.tixPage.app.map;
    map.zoomToSeat(map.findByLabel("U48-12-40"), 5);
  });
  await page.waitForTimeout(400);
  await page.screenshot({ path: path.join(REPO, "docs", "seatmap-stadium.png") });
} finally {
  await browser.close();
  await srv.stop();
}
