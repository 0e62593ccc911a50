// The gate: a ticket code (or the text a scanner read off its QR code) in,
// the check-in out; a second try shows when and where the first one was.
import { post } from "./api.js";

const $ = (id) => document.getElementById(id);

function when(t) {
  return new Date(t).toLocaleString(); // ISO 8601 from the API
}

function show(kind, lines) {
  const r = $("result");
  r.className = kind;
  r.replaceChildren(...lines.map((text) => {
    const p = document.createElement("p");
    p.textContent = text;
    return p;
  }));
}

async function checkin(e) {
  e.preventDefault();
  const code = $("code").value.trim(), gate = $("gate").value.trim() || "Gate 1";
  try {
    const c = await post("/checkin", { code, gate });
    show("ok", [`Welcome: ${c.n_seats} seat${c.n_seats === 1 ? "" : "s"} for ${c.movie}`,
      `${c.venue}, checked in at ${c.gate}, ${when(c.checked_in_at)}.`]);
  } catch (err) {
    if (err.code === "TIX_EALREADY" && err.data && err.data.first) {
      const f = err.data.first;
      show("again", ["Already checked in: this ticket was used before.",
        `First check-in: ${f.gate}, ${when(f.checked_in_at)} (${f.n_seats} seat${f.n_seats === 1 ? "" : "s"}, ${f.movie}).`]);
    } else {
      show("bad", [`Not admitted: ${err.code || "error"}`, err.message]);
    }
  }
  $("code").select();
}

$("checkin").addEventListener("submit", checkin);
