// The strings of the Vinted link in Impostazioni ("vinted.*" keys): Italian first, English second
// (merged in messages.ts).
export const itVinted = {
  "vinted.status.linked": "Collegato",
  "vinted.status.linkedAs": "Collegato (account Vinted n. {id})",
  "vinted.status.dead": "Da ricollegare: Vinted ha chiuso la sessione",
  "vinted.status.notLinked": "Non collegato",
  "vinted.linkedExplain":
    "Vinted Optimizer tiene viva la sessione da solo. Se Vinted la chiude (per esempio dopo un cambio di password), te lo diciamo qui e per e-mail.",
  "vinted.deadExplain":
    "Succede dopo un cambio di password su Vinted o un'uscita da tutti i dispositivi. Ricollega con l'estensione: basta un minuto.",
  "vinted.extension.title": "Collega con l'estensione",
  "vinted.extension.step1":
    "Sul computer dove sei entrato su vinted.it, installa l'estensione «Vinted Optimizer — collega Vinted» (Chrome o Firefox). Chi ha installato Vinted Optimizer può aiutarti: si fa una volta sola.",
  "vinted.extension.step2": "Premi il pulsante qui sotto: comparirà un codice valido 10 minuti.",
  "vinted.extension.step3":
    "Sul computer, apri l'estensione (la sua icona in alto a destra nel browser), scrivi l'indirizzo di Vinted Optimizer e il codice, poi premi «Collega».",
  "vinted.extension.step4": "Questa pagina si aggiorna da sola e mostra «Collegato».",
  "vinted.extension.start": "Collega con l'estensione",
  "vinted.extension.relink": "Ricollega",
  "vinted.code.label": "Il tuo codice",
  "vinted.code.address": "Indirizzo da scrivere nell'estensione: {address}",
  "vinted.code.expiresIn": "Scade tra {time}",
  "vinted.code.waiting": "In attesa dell'estensione…",
  "vinted.code.expired": "Il codice è scaduto. Chiedine un altro: ci vuole un attimo.",
  "vinted.code.again": "Nuovo codice",
  "vinted.code.done": "Fatto! Vinted è collegato.",
  "vinted.manual.summary": "Non puoi usare l'estensione? Incolla i cookie a mano",
  "vinted.manual.explain":
    "Serve un computer: sul telefono non si può. È il metodo di riserva, un po' più lungo ma sicuro quanto l'estensione.",
  "vinted.manual.step1": "Sul computer apri www.vinted.it ed entra con il tuo account.",
  "vinted.manual.step2":
    "Premi F12 (su Mac: Cmd+Opzione+I). Si apre un pannello: scegli «Applicazione» (Chrome) o «Archiviazione» (Firefox), poi «Cookie» e «https://www.vinted.it».",
  "vinted.manual.step3":
    "Trova le righe access_token_web e refresh_token_web: copia il «Valore» di ciascuna nei due campi qui sotto e premi «Collega Vinted».",
  "vinted.sync.title": "Vendite da Vinted",
  "vinted.sync.explain":
    "Le vendite fatte su Vinted arrivano qui da sole ogni mezz'ora, con l'etichetta prepagata di Vinted pronta da stampare. Puoi anche sincronizzare adesso.",
  "vinted.sync.button": "Sincronizza con Vinted",
  "vinted.sync.all": "Sincronizza tutta la famiglia",
  "vinted.sync.queued": "Sincronizzazione in coda…",
  "vinted.sync.running": "Sincronizzazione in corso…",
  "vinted.sync.never": "Nessuna sincronizzazione ancora.",
  "vinted.sync.notLinked": "Collega il tuo account Vinted da Impostazioni → Vinted per ricevere qui le vendite.",
  "vinted.sync.last": "Ultima sincronizzazione alle {time}: {sales}, {labels}.",
  "vinted.sync.sales.one": "1 nuova vendita",
  "vinted.sync.sales.many": "{count} nuove vendite",
  "vinted.sync.labels.one": "1 etichetta scaricata",
  "vinted.sync.labels.many": "{count} etichette scaricate",
  "vinted.sync.stopped": "Interrotta a metà: {reason} Il resto arriva al prossimo giro.",
  "vinted.sync.failed": "Sincronizzazione delle {time} non riuscita: {reason}",
  "vinted.sync.member": "{name}",
  "vinted.sync.others": "Gli altri membri",
} as const;

export const enVinted: Record<keyof typeof itVinted, string> = {
  "vinted.status.linked": "Linked",
  "vinted.status.linkedAs": "Linked (Vinted account no. {id})",
  "vinted.status.dead": "Link again: Vinted ended the session",
  "vinted.status.notLinked": "Not linked",
  "vinted.linkedExplain":
    "Vinted Optimizer keeps the session alive by itself. If Vinted ends it (after a password change, say), we tell you here and by e-mail.",
  "vinted.deadExplain":
    "This happens after a password change on Vinted or signing out of every device. Link again with the extension: it takes a minute.",
  "vinted.extension.title": "Link with the extension",
  "vinted.extension.step1":
    "On the computer where you are signed in to vinted.it, install the “Vinted Optimizer — collega Vinted” extension (Chrome or Firefox). Whoever set up Vinted Optimizer can help: it is done once.",
  "vinted.extension.step2": "Press the button below: a code valid for 10 minutes appears.",
  "vinted.extension.step3":
    "On the computer, open the extension (its icon at the top right of the browser), type the Vinted Optimizer address and the code, then press “Collega”.",
  "vinted.extension.step4": "This page updates by itself and shows “Linked”.",
  "vinted.extension.start": "Link with the extension",
  "vinted.extension.relink": "Link again",
  "vinted.code.label": "Your code",
  "vinted.code.address": "Address to type in the extension: {address}",
  "vinted.code.expiresIn": "Expires in {time}",
  "vinted.code.waiting": "Waiting for the extension…",
  "vinted.code.expired": "The code has expired. Ask for another one: it takes a moment.",
  "vinted.code.again": "New code",
  "vinted.code.done": "Done! Vinted is linked.",
  "vinted.manual.summary": "Can't use the extension? Paste the cookies by hand",
  "vinted.manual.explain":
    "This needs a computer: it can't be done on a phone. It is the fallback, a little longer but as safe as the extension.",
  "vinted.manual.step1": "On the computer open www.vinted.it and sign in to your account.",
  "vinted.manual.step2":
    "Press F12 (on a Mac: Cmd+Option+I). A panel opens: choose “Application” (Chrome) or “Storage” (Firefox), then “Cookies” and “https://www.vinted.it”.",
  "vinted.manual.step3":
    "Find the rows access_token_web and refresh_token_web: copy the “Value” of each into the two fields below and press “Link Vinted”.",
  "vinted.sync.title": "Sales from Vinted",
  "vinted.sync.explain":
    "Sales made on Vinted arrive here by themselves every half hour, with Vinted's prepaid label ready to print. You can also sync now.",
  "vinted.sync.button": "Sync with Vinted",
  "vinted.sync.all": "Sync the whole family",
  "vinted.sync.queued": "Sync queued…",
  "vinted.sync.running": "Syncing…",
  "vinted.sync.never": "No sync yet.",
  "vinted.sync.notLinked": "Link your Vinted account in Impostazioni → Vinted to get your sales here.",
  "vinted.sync.last": "Last sync at {time}: {sales}, {labels}.",
  "vinted.sync.sales.one": "1 new sale",
  "vinted.sync.sales.many": "{count} new sales",
  "vinted.sync.labels.one": "1 label downloaded",
  "vinted.sync.labels.many": "{count} labels downloaded",
  "vinted.sync.stopped": "Stopped part way: {reason} The rest comes with the next run.",
  "vinted.sync.failed": "The sync at {time} failed: {reason}",
  "vinted.sync.member": "{name}",
  "vinted.sync.others": "The other members",
};
