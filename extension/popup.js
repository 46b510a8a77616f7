// The popup: one form (the instance's address, remembered, and the code), one button.
import { askForInstance, instanceOrigin, normaliseCode, readVintedSession, redeem } from "./pairing.js";

const api = globalThis.browser ?? globalThis.chrome;
const form = document.getElementById("pair");
const instance = document.getElementById("instance");
const code = document.getElementById("code");
const button = document.getElementById("link");
const status = document.getElementById("status");

function say(text, kind) {
  status.textContent = text;
  status.dataset.kind = kind;
}

async function start() {
  const saved = await api.storage.local.get("instance");
  if (saved.instance) instance.value = saved.instance;
  const session = await readVintedSession(api.cookies);
  if (!session) {
    say("Non risulti entrato su vinted.it in questo browser. Apri www.vinted.it, accedi con il tuo account, poi riapri questa finestra.", "warn");
  }
  (instance.value ? code : instance).focus();
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const origin = instanceOrigin(instance.value);
  if (!origin) {
    say("Scrivi l'indirizzo della tua Vinted Optimizer, per esempio casa.esempio.it.", "error");
    instance.focus();
    return;
  }
  const pairingCode = normaliseCode(code.value);
  if (!pairingCode) {
    say("Il codice è di 8 lettere e numeri: copialo come lo mostra la app.", "error");
    code.focus();
    return;
  }
  button.disabled = true;
  say("Collegamento in corso…", "busy");
  try {
    // Asked now, on the click: the browser shows its question only after a gesture of the member.
    const allowed = await askForInstance(api.permissions, origin);
    await api.storage.local.set({ instance: origin });
    const session = await readVintedSession(api.cookies);
    if (!session) {
      say("Non risulti entrato su vinted.it in questo browser. Apri www.vinted.it, accedi, poi riprova.", "error");
      return;
    }
    const result = await redeem(globalThis.fetch.bind(globalThis), origin, pairingCode, session);
    if (!result.ok && !allowed) {
      say(result.message + " Se il browser ti ha chiesto un permesso, rispondi «Consenti».", "error");
      return;
    }
    say(result.message, result.ok ? "ok" : "error");
    if (result.ok) code.value = "";
  } finally {
    button.disabled = false;
  }
});

start();
