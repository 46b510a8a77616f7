// The pairing's logic, apart from the popup's page: what it reads, where it sends it, what it says.
// Nothing here keeps the Vinted cookies: they are read, sent once to the member's own instance, and
// forgotten. Only the instance's address is remembered (chrome.storage.local).

export const VINTED_SITE = "https://www.vinted.it/";
export const COOKIE_NAMES = ["access_token_web", "refresh_token_web"];
export const REDEEM_PATH = "/api/v1/vinted-link/redeem";
const CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
export const CODE_LENGTH = 8;

/** The instance's origin from what the member typed ("casa.example.it", "https://…/impostazioni"), or null. */
export function instanceOrigin(typed) {
  let text = String(typed || "").trim();
  if (!text) return null;
  if (!/^[a-z]+:\/\//i.test(text)) {
    const local = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(\/|$)/i.test(text);
    text = (local ? "http://" : "https://") + text;
  }
  let url;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return null;
  if (url.username || url.password) return null;
  return url.origin;
}

/** The code as the app shows it, from what was typed (small letters, spaces, a dash), or null. */
export function normaliseCode(typed) {
  const code = String(typed || "").toUpperCase().replace(/[\s-]/g, "");
  if (code.length !== CODE_LENGTH) return null;
  for (const ch of code) if (!CODE_ALPHABET.includes(ch)) return null;
  return code;
}

/** The two vinted.it cookies of this browser, or null when the member is not signed in to Vinted. */
export async function readVintedSession(cookiesApi) {
  const found = {};
  for (const name of COOKIE_NAMES) {
    const cookie = await cookiesApi.get({ url: VINTED_SITE, name });
    if (!cookie || !cookie.value) return null;
    found[name] = cookie.value;
  }
  return found;
}

export const VINTED_ORIGINS = ["https://*.vinted.it/*"];

/** Ask the browser for the right to call the instance, and to read vinted.it's cookies where the browser
 * leaves host permissions to the member (Firefox): the member answers "Consenti". */
export async function askForInstance(permissionsApi, origin) {
  const wanted = { origins: [origin + "/*", ...VINTED_ORIGINS] };
  try {
    if (await permissionsApi.contains(wanted)) return true;
    return await permissionsApi.request(wanted);
  } catch {
    return false;
  }
}

/** Send the code and the session to the instance, only there. Returns {ok, message}. */
export async function redeem(fetchFn, origin, code, session) {
  let response;
  try {
    response = await fetchFn(origin + REDEEM_PATH, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ code, domain: "it", ...session }),
      credentials: "omit",
      cache: "no-store",
      redirect: "error",
    });
  } catch {
    return {
      ok: false,
      message:
        "Non riesco a raggiungere " + origin + ". Controlla l'indirizzo (lo stesso che apri per usare Vinted Optimizer) e che il computer sia connesso.",
    };
  }
  if (response.ok) {
    return { ok: true, message: "Fatto! Vinted è collegato. Torna a Vinted Optimizer: in Impostazioni vedrai «Collegato»." };
  }
  let detail = "";
  try {
    const body = await response.json();
    detail = typeof body.detail === "string" ? body.detail : "";
  } catch {
    detail = "";
  }
  if (response.status === 422) {
    return { ok: false, message: detail || "Il codice non è valido o è scaduto: creane uno nuovo nella app." };
  }
  if (response.status === 429) {
    return { ok: false, message: detail || "Troppi tentativi: aspetta qualche minuto e riprova." };
  }
  if (response.status === 404) {
    return { ok: false, message: "A questo indirizzo non c'è una Vinted Optimizer aggiornata: controlla l'indirizzo." };
  }
  return { ok: false, message: "Vinted Optimizer non ha potuto collegare Vinted ora. Riprova tra poco." };
}
