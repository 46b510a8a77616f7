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
  // Publishing on Vinted from the listing's page and the bulk bar.
  "publish.title": "Su Vinted",
  "publish.intro":
    "Vinted Optimizer carica le foto e crea l'annuncio sull'account Vinted di chi l'ha caricato. Vinted vuole calma: ogni foto è una richiesta, quindi ci vuole qualche minuto.",
  "publish.publish": "Pubblica su Vinted",
  "publish.unpublish": "Ritira da Vinted",
  "publish.repost": "Ripubblica",
  "publish.repostConfirm":
    "Ripubblicare? L'annuncio viene cancellato da Vinted e creato di nuovo con le stesse foto e lo stesso testo: torna in cima alle ricerche, ma perde «Mi piace» e visualizzazioni. Si fa una volta ogni tanto, non tutti i giorni.",
  "publish.repostButton": "Sì, ripubblica",
  "publish.unpublishConfirm": "Ritirare l'annuncio da Vinted? Viene cancellato da Vinted; qui resta, pronto da pubblicare di nuovo.",
  "publish.unpublishButton": "Sì, ritira",
  "publish.state.queued": "In coda",
  "publish.state.queuedAt": "In coda: parte alle {time}",
  "publish.state.publishing": "Pubblicazione in corso",
  "publish.state.unpublishing": "Ritiro in corso",
  "publish.state.reposting": "Ripubblicazione in corso",
  "publish.state.failed": "Non riuscito",
  "publish.published": "Pubblicato — apri su Vinted",
  "publish.waiting": "Aspetta e riprova da solo: {reason}",
  "publish.failedWhat": "Correggi e premi di nuovo «Pubblica su Vinted».",
  "publish.failedRetry": "Puoi riprovare quando vuoi.",
  "publish.fix": "Da sistemare prima di pubblicare:",
  "publish.fixField": "Vai al campo",
  "publish.notLinked": "Collega Vinted in Impostazioni",
  "publish.notOwner": "Solo chi ha caricato l'annuncio o un amministratore della famiglia può farlo.",
  "publish.bulk": "Pubblica su Vinted",
  "publish.bulk.queued": "{count} in coda, circa {minutes} minuti in tutto",
  "publish.bulk.refused": "{count} non pubblicabili:",
  "publish.bulk.progress": "Pubblicazione di gruppo: {published} pubblicati, {running} in corso o in coda, {failed} non riusciti su {total}",
  "publish.bulk.none": "Nessun annuncio pubblicabile tra quelli scelti.",
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
  "publish.title": "On Vinted",
  "publish.intro":
    "Vinted Optimizer uploads the photos and creates the item on the Vinted account of whoever added it. Vinted wants it slow: each photo is a request, so it takes a few minutes.",
  "publish.publish": "Publish on Vinted",
  "publish.unpublish": "Take off Vinted",
  "publish.repost": "Repost",
  "publish.repostConfirm":
    "Repost? The item is deleted on Vinted and created again with the same photos and text: it goes back to the top of searches, but loses its likes and views. Do it now and then, not every day.",
  "publish.repostButton": "Yes, repost",
  "publish.unpublishConfirm": "Take the item off Vinted? It is deleted on Vinted; here it stays, ready to publish again.",
  "publish.unpublishButton": "Yes, take it off",
  "publish.state.queued": "Queued",
  "publish.state.queuedAt": "Queued: starts at {time}",
  "publish.state.publishing": "Publishing",
  "publish.state.unpublishing": "Taking it off",
  "publish.state.reposting": "Reposting",
  "publish.state.failed": "Failed",
  "publish.published": "Published — open on Vinted",
  "publish.waiting": "It waits and tries again by itself: {reason}",
  "publish.failedWhat": "Fix it and press “Publish on Vinted” again.",
  "publish.failedRetry": "You can try again whenever you like.",
  "publish.fix": "To fix before publishing:",
  "publish.fixField": "Go to the field",
  "publish.notLinked": "Link Vinted in Settings",
  "publish.notOwner": "Only whoever added the listing or a family admin can do this.",
  "publish.bulk": "Publish on Vinted",
  "publish.bulk.queued": "{count} queued, about {minutes} minutes in all",
  "publish.bulk.refused": "{count} cannot be published:",
  "publish.bulk.progress": "Bulk publish: {published} published, {running} running or queued, {failed} failed of {total}",
  "publish.bulk.none": "None of the chosen listings can be published.",
};
