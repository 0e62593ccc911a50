// The seat map on a canvas: one canvas draws the 150,000-seat stadium, where
// 150,000 DOM or SVG nodes would not pan smoothly. Seats are drawn in one
// path per colour; while a gesture moves over a big map the last full
// picture is moved and scaled instead, and redrawn sharp when it stops.
export const TIER_COLORS = ["#43a047", "#1e88e5", "#8e24aa", "#00897b",
  "#3949ab", "#d81b60", "#6d4c41", "#546e7a"];
export const COLORS = { held: "#ffb300", booked: "#bdbdbd", blocked: "#424242",
  selected: "#ff3d00", mine: "#212121", access: "#0d47a1" };
export const STATE = { FREE: 0, HELD: 1, CONFIRMING: 2, BOOKED: 3, BLOCKED: 4 };
export const FLAG = { AISLE: 1, WHEELCHAIR: 2, COMPANION: 4, BLOCKED: 8 };
export const STATE_NAMES = ["free", "held", "held", "booked", "blocked"];

const SLOW_MS = 20;  // a full draw slower than this uses the moved picture

function median(values) {
  if (!values.length) return 1;
  values.sort((a, b) => a - b);
  return values[values.length >> 1];
}

export class SeatMap {
  constructor(canvas, layout) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.L = layout;
    this.n = layout.seat_count;
    this.X = Float32Array.from(layout.x);
    this.Y = Float32Array.from(layout.y);
    this.states = new Uint8Array(this.n);
    this.selected = new Set();
    this.mine = new Set();
    this.onSeatClick = null;
    this.onHover = null;
    this.lastDrawMs = 0;
    this.draws = 0;
    this.prepare();
    this.listen();
    this.resize();
    this.fit();
  }

  // ---- geometry, once per layout ------------------------------------------
  prepare() {
    const { X, Y, n } = this;
    this.rowOf = new Uint32Array(n);
    this.ux = new Float32Array(n).fill(1);
    this.uy = new Float32Array(n);
    const gaps = [];
    this.L.rows.forEach(([, first, count], r) => {
      for (let k = 0; k < count; k++) {
        const i = first + k;
        this.rowOf[i] = r;
        const j = k + 1 < count ? i + 1 : i - 1;
        if (j < first) continue;
        let dx = X[j] - X[i], dy = Y[j] - Y[i];
        if (j < i) { dx = -dx; dy = -dy; }
        const d = Math.hypot(dx, dy);
        if (d > 1e-9) {
          this.ux[i] = dx / d; this.uy[i] = dy / d;
          if (gaps.length < 4000 && k + 1 < count) gaps.push(d);
        }
      }
    });
    this.pitch = median(gaps);
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (let i = 0; i < n; i++) {
      x0 = Math.min(x0, X[i]); x1 = Math.max(x1, X[i]);
      y0 = Math.min(y0, Y[i]); y1 = Math.max(y1, Y[i]);
    }
    if (!n) { x0 = y0 = 0; x1 = y1 = 1; }
    this.box = { x0, x1, y0, y1 };
    this.arena = this.isArena();
    this.buildGrid();
    this.buildLabels();
  }

  // Seats all round an empty middle (a stadium): the field goes there.
  isArena() {
    const { x0, x1, y0, y1 } = this.box;
    const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
    const hx = (x1 - x0) / 6, hy = (y1 - y0) / 6;
    let quad = 0;
    for (let i = 0; i < this.n; i++) {
      if (Math.abs(this.X[i] - cx) < hx && Math.abs(this.Y[i] - cy) < hy) return false;
      quad |= 1 << ((this.X[i] > cx) * 2 + (this.Y[i] > cy));
    }
    return quad === 15;
  }

  buildGrid() {
    this.cell = this.pitch;
    this.grid = new Map();
    for (let i = 0; i < this.n; i++) {
      const key = this.cellKey(this.X[i], this.Y[i]);
      const list = this.grid.get(key);
      if (list) list.push(i); else this.grid.set(key, [i]);
    }
  }

  cellKey(x, y) {
    return Math.floor(x / this.cell) * 1000003 + Math.floor(y / this.cell);
  }

  // Row labels beside each row's lowest-numbered seat; section labels
  // ("L07" of row "L07-12") at the middle of their seats.
  buildLabels() {
    const { X, Y } = this, num = this.L.n;
    this.rowLabels = this.L.rows.map(([label, first, count]) => {
      let lo = first;
      for (let i = first; i < first + count; i++) if (num[i] < num[lo]) lo = i;
      const d = this.pitch * 1.1;  // one seat out from the row's start
      return { label, x: X[lo] - this.ux[lo] * d, y: Y[lo] - this.uy[lo] * d };
    });
    const sections = new Map();
    this.L.rows.forEach(([label, first, count]) => {
      const cut = label.lastIndexOf("-");
      if (cut <= 0) return;
      const name = label.slice(0, cut);
      const s = sections.get(name) || { label: name, x: 0, y: 0, k: 0 };
      for (let i = first; i < first + count; i++) { s.x += X[i]; s.y += Y[i]; s.k++; }
      sections.set(name, s);
    });
    this.sections = [...sections.values()].map((s) => ({ label: s.label, x: s.x / s.k, y: s.y / s.k }));
  }

  // ---- names ----------------------------------------------------------------
  rowLabel(i) { return this.L.rows[this.rowOf[i]][0]; }

  label(i) {
    const row = this.rowLabel(i);
    return row + (/[0-9]$/.test(row) ? "-" : "") + this.L.n[i];
  }

  findByLabel(text) {
    const want = text.trim().toUpperCase();
    for (let i = 0; i < this.n; i++) if (this.label(i).toUpperCase() === want) return i;
    return -1;
  }

  // ---- view -----------------------------------------------------------------
  resize() {
    const r = this.canvas.getBoundingClientRect();
    this.dpr = window.devicePixelRatio || 1;
    this.w = Math.max(1, r.width); this.h = Math.max(1, r.height);
    this.canvas.width = Math.round(this.w * this.dpr);
    this.canvas.height = Math.round(this.h * this.dpr);
    this.snap = null;
  }

  fit() {
    const { x0, x1, y0, y1 } = this.box, p = this.pitch;
    const top = this.arena ? 0 : 4 * p;
    const s = Math.min(this.w / (x1 - x0 + 4 * p), this.h / (y1 - y0 + 4 * p + top));
    this.scale = this.minScale = s;
    this.tx = this.w / 2 - ((x0 + x1) / 2) * s;
    this.ty = this.h / 2 - ((y0 + y1) / 2 - top / 2) * s;
    this.redraw();
  }

  toScreen(x, y) { return [x * this.scale + this.tx, y * this.scale + this.ty]; }
  toWorld(sx, sy) { return [(sx - this.tx) / this.scale, (sy - this.ty) / this.scale]; }

  zoomAt(factor, sx, sy) {
    const max = 60 / this.pitch;  // seats at most 60 px wide
    const s = Math.min(max, Math.max(this.minScale * 0.5, this.scale * factor));
    const [wx, wy] = this.toWorld(sx, sy);
    this.scale = s;
    this.tx = sx - wx * s;
    this.ty = sy - wy * s;
    this.moved();
  }

  zoomToSeat(i, seatPx = 28) {
    this.scale = Math.max(this.minScale, seatPx / this.pitch);
    this.tx = this.w / 2 - this.X[i] * this.scale;
    this.ty = this.h / 2 - this.Y[i] * this.scale;
    this.redraw();
  }

  pan(dx, dy) { this.tx += dx; this.ty += dy; this.moved(); }

  seatPx() { return this.pitch * this.scale * 0.82; }

  // Where seat @i is on the page (CSS pixels), for tests and tooltips.
  centerOf(i) {
    const r = this.canvas.getBoundingClientRect();
    const [sx, sy] = this.toScreen(this.X[i], this.Y[i]);
    return { x: r.left + sx, y: r.top + sy };
  }

  seatAt(sx, sy) {
    const [wx, wy] = this.toWorld(sx, sy);
    let best = -1, bd = (this.pitch * 0.6) ** 2;
    const cx = Math.floor(wx / this.cell), cy = Math.floor(wy / this.cell);
    for (let gx = cx - 1; gx <= cx + 1; gx++) {
      for (let gy = cy - 1; gy <= cy + 1; gy++) {
        for (const i of this.grid.get(gx * 1000003 + gy) || []) {
          const d = (this.X[i] - wx) ** 2 + (this.Y[i] - wy) ** 2;
          if (d < bd) { bd = d; best = i; }
        }
      }
    }
    return best;
  }

  // ---- state ----------------------------------------------------------------
  setStates(u8) { if (u8.length === this.n) { this.states = u8; this.redraw(); } }
  setSelected(set) { this.selected = set; this.redraw(); }
  setMine(set) { this.mine = set; this.redraw(); }

  colorOf(i) {
    if (this.selected.has(i)) return COLORS.selected;
    const s = this.states[i];
    if (s === STATE.FREE) return TIER_COLORS[this.L.t[i] % TIER_COLORS.length];
    if (s === STATE.HELD || s === STATE.CONFIRMING) return this.mine.has(i) ? COLORS.mine : COLORS.held;
    return s === STATE.BOOKED ? COLORS.booked : COLORS.blocked;
  }

  // ---- drawing --------------------------------------------------------------
  moved() {
    this.interacting = true;
    clearTimeout(this.settle);
    this.settle = setTimeout(() => { this.interacting = false; this.redraw(); }, 140);
    this.redraw();
  }

  redraw() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      if (this.interacting && this.snap && this.lastDrawMs > SLOW_MS) this.drawMoved();
      else this.draw();
    });
  }

  drawMoved() {
    const { ctx, snap } = this;
    const k = this.scale / snap.scale;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.clearRect(0, 0, this.w, this.h);
    ctx.drawImage(snap.canvas, this.tx - snap.tx * k, this.ty - snap.ty * k, this.w * k, this.h * k);
  }

  draw() {
    const t0 = performance.now();
    const { ctx } = this;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, this.w, this.h);
    this.drawStage();
    const size = this.seatPx();
    const visible = this.drawSeats(size);
    this.drawMarks(size, visible);
    this.drawLabels(size, visible);
    this.lastDrawMs = performance.now() - t0;
    this.draws++;
    this.keepSnapshot();
  }

  keepSnapshot() {
    if (this.lastDrawMs <= SLOW_MS) { this.snap = null; return; }
    const c = (this.snap && this.snap.canvas) || document.createElement("canvas");
    c.width = this.canvas.width; c.height = this.canvas.height;
    c.getContext("2d").drawImage(this.canvas, 0, 0);
    this.snap = { canvas: c, scale: this.scale, tx: this.tx, ty: this.ty };
  }

  drawStage() {
    const { ctx } = this, { x0, x1, y0, y1 } = this.box;
    ctx.save();
    if (this.arena) {
      const [cx, cy] = this.toScreen((x0 + x1) / 2, (y0 + y1) / 2);
      const rx = (x1 - x0) * 0.15 * this.scale, ry = (y1 - y0) * 0.15 * this.scale;
      ctx.fillStyle = "#a5d6a7"; ctx.strokeStyle = "#2e7d32"; ctx.lineWidth = 3;
      ctx.beginPath(); ctx.ellipse(cx, cy, rx, ry, 0, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
      ctx.fillStyle = "#1b5e20";
      ctx.font = `${Math.max(12, Math.min(40, ry / 4))}px sans-serif`;
      ctx.textAlign = "center"; ctx.textBaseline = "middle";
      ctx.fillText("FIELD", cx, cy);
    } else {
      const [ax, ay] = this.toScreen(x0 + (x1 - x0) * 0.1, y0 - 2.6 * this.pitch);
      const [bx] = this.toScreen(x1 - (x1 - x0) * 0.1, y0);
      ctx.strokeStyle = "#455a64"; ctx.lineWidth = Math.max(3, this.scale * 0.25); ctx.lineCap = "round";
      ctx.beginPath(); ctx.moveTo(ax, ay);
      ctx.quadraticCurveTo((ax + bx) / 2, ay - this.scale * 0.9, bx, ay); ctx.stroke();
      ctx.fillStyle = "#455a64"; ctx.textAlign = "center"; ctx.textBaseline = "top";
      ctx.font = `${Math.max(11, Math.min(18, this.scale * 0.6))}px sans-serif`;
      ctx.fillText("S C R E E N", (ax + bx) / 2, ay + 6);
    }
    ctx.restore();
  }

  // One path per colour; seats outside the view are skipped. Returns the
  // indexes drawn when few enough to mark and label one by one.
  drawSeats(size) {
    const { ctx, X, Y, ux, uy } = this, f = this.L.f;
    const m = size + 2;
    const paths = new Map();
    const visible = [];
    const tiny = size < 2.5, h = Math.max(size, 1.4) / 2;
    for (let i = 0; i < this.n; i++) {
      const sx = X[i] * this.scale + this.tx, sy = Y[i] * this.scale + this.ty;
      if (sx < -m || sy < -m || sx > this.w + m || sy > this.h + m) continue;
      const color = this.colorOf(i);
      let p = paths.get(color);
      if (!p) { p = new Path2D(); paths.set(color, p); }
      if (visible.length < 20000) visible.push(i);
      if (tiny) { p.rect(sx - h, sy - h, 2 * h, 2 * h); continue; }
      if (f[i] & FLAG.WHEELCHAIR) { p.moveTo(sx + h, sy); p.arc(sx, sy, h, 0, 2 * Math.PI); continue; }
      const ax = ux[i] * h, ay = uy[i] * h;  // along the row, then across it
      p.moveTo(sx - ax + ay, sy - ay - ax); p.lineTo(sx + ax + ay, sy + ay - ax);
      p.lineTo(sx + ax - ay, sy + ay + ax); p.lineTo(sx - ax - ay, sy - ay + ax); p.closePath();
    }
    for (const [color, p] of paths) { ctx.fillStyle = color; ctx.fill(p); }
    return visible.length < 20000 ? visible : null;
  }

  // Wheelchair and companion rings, blocked crosses, the selection outline.
  drawMarks(size, visible) {
    if (!visible || size < 5) return;
    const { ctx, X, Y } = this, f = this.L.f, h = size / 2;
    const access = new Path2D(), companion = new Path2D(), cross = new Path2D(), sel = new Path2D();
    for (const i of visible) {
      const sx = X[i] * this.scale + this.tx, sy = Y[i] * this.scale + this.ty;
      if (f[i] & FLAG.WHEELCHAIR) { access.moveTo(sx + h + 1, sy); access.arc(sx, sy, h + 1, 0, 2 * Math.PI); }
      if (f[i] & FLAG.COMPANION) companion.rect(sx - h - 1, sy - h - 1, size + 2, size + 2);
      if (this.states[i] === STATE.BLOCKED) {
        cross.moveTo(sx - h * .5, sy - h * .5); cross.lineTo(sx + h * .5, sy + h * .5);
        cross.moveTo(sx + h * .5, sy - h * .5); cross.lineTo(sx - h * .5, sy + h * .5);
      }
      if (this.selected.has(i) || this.mine.has(i)) sel.rect(sx - h - 2, sy - h - 2, size + 4, size + 4);
    }
    ctx.save();
    ctx.lineWidth = Math.max(1.5, size / 10); ctx.strokeStyle = COLORS.access;
    ctx.stroke(access);
    ctx.setLineDash([3, 2]); ctx.stroke(companion); ctx.setLineDash([]);
    ctx.strokeStyle = "#ffffff"; ctx.stroke(cross);
    ctx.strokeStyle = "#000000"; ctx.lineWidth = 2; ctx.stroke(sel);
    ctx.restore();
  }

  drawLabels(size, visible) {
    const { ctx } = this;
    ctx.save();
    ctx.textAlign = "center"; ctx.textBaseline = "middle";
    if (visible && size >= 14) {
      ctx.font = `${Math.floor(size * 0.45)}px sans-serif`;
      ctx.fillStyle = "#ffffff";
      for (const i of visible) {
        const [sx, sy] = this.toScreen(this.X[i], this.Y[i]);
        ctx.fillText(String(this.L.n[i]), sx, sy);
      }
    }
    if (size >= 6) {
      ctx.font = `${Math.min(14, Math.max(9, size * 0.6))}px sans-serif`;
      ctx.fillStyle = "#546e7a";
      for (const r of this.rowLabels) {
        const [sx, sy] = this.toScreen(r.x, r.y);
        if (sx > -40 && sy > -20 && sx < this.w + 40 && sy < this.h + 20) ctx.fillText(r.label, sx, sy);
      }
    } else if (this.sections.length) {
      ctx.font = "bold 11px sans-serif";
      ctx.lineWidth = 3; ctx.strokeStyle = "rgba(255,255,255,0.85)"; ctx.fillStyle = "#212121";
      for (const s of this.sections) {
        const [sx, sy] = this.toScreen(s.x, s.y);
        ctx.strokeText(s.label, sx, sy); ctx.fillText(s.label, sx, sy);
      }
    }
    ctx.restore();
  }

  // ---- input ----------------------------------------------------------------
  listen() {
    const c = this.canvas;
    let down = null;
    c.addEventListener("pointerdown", (e) => {
      down = { x: e.clientX, y: e.clientY, lx: e.clientX, ly: e.clientY, drag: false };
      c.setPointerCapture(e.pointerId);
    });
    c.addEventListener("pointermove", (e) => {
      if (down) {
        if (Math.hypot(e.clientX - down.x, e.clientY - down.y) > 4) down.drag = true;
        if (down.drag) { this.pan(e.clientX - down.lx, e.clientY - down.ly); c.style.cursor = "grabbing"; }
        down.lx = e.clientX; down.ly = e.clientY;
        return;
      }
      this.hover(e);
    });
    c.addEventListener("pointerup", (e) => {
      const d = down; down = null; c.style.cursor = "";
      if (d && !d.drag) {
        const r = c.getBoundingClientRect();
        const i = this.seatAt(e.clientX - r.left, e.clientY - r.top);
        if (i >= 0 && this.onSeatClick) this.onSeatClick(i);
      }
    });
    c.addEventListener("pointerleave", () => this.onHover && this.onHover(-1));
    c.addEventListener("wheel", (e) => {
      e.preventDefault();
      const r = c.getBoundingClientRect();
      this.zoomAt(Math.exp(-e.deltaY * 0.0015), e.clientX - r.left, e.clientY - r.top);
    }, { passive: false });
    c.addEventListener("keydown", (e) => this.key(e));
    new ResizeObserver(() => { this.resize(); this.redraw(); }).observe(c);
  }

  hover(e) {
    if (!this.onHover) return;
    const r = this.canvas.getBoundingClientRect();
    const i = this.seatAt(e.clientX - r.left, e.clientY - r.top);
    this.onHover(i, e.clientX - r.left, e.clientY - r.top);
  }

  key(e) {
    const step = 60, moves = { ArrowLeft: [step, 0], ArrowRight: [-step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
    if (moves[e.key]) this.pan(...moves[e.key]);
    else if (e.key === "+" || e.key === "=") this.zoomAt(1.4, this.w / 2, this.h / 2);
    else if (e.key === "-") this.zoomAt(1 / 1.4, this.w / 2, this.h / 2);
    else if (e.key === "0") this.fit();
    else return;
    e.preventDefault();
  }
}
