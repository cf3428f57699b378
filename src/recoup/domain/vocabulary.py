"""The words for Recoup's codes, per language: what `recoup.domain.words` looks up.

Each table maps a kind of code (a hold, an action, a history entry ...) to the words
for each code, in English and, where a debtor may read them or a collector abroad
will, in German and French. A code missing from a language falls back to English.
Nouns for counts carry their singular and plural.
"""

from __future__ import annotations

Table = dict[str, dict[str, str]]  # language -> code -> words

HOLD: Table = {
    "en": {
        "dispute": "dispute open",
        "promise": "promise to pay in force",
        "payment_plan": "payment plan current",
        "cease_contact": "cease-contact request",
        "insolvency": "insolvency",
        "agency": "placed with an agency",
    },
    "de": {
        "dispute": "offene Beanstandung",
        "promise": "laufende Zahlungszusage",
        "payment_plan": "laufende Ratenzahlung",
        "cease_contact": "wünscht keinen Kontakt",
        "insolvency": "insolvent",
        "agency": "an ein Inkassobüro übergeben",
    },
    "fr": {
        "dispute": "réclamation en cours",
        "promise": "promesse de paiement en cours",
        "payment_plan": "échéancier en cours",
        "cease_contact": "ne souhaite plus être contacté",
        "insolvency": "en procédure collective",
        "agency": "confié à une société de recouvrement",
    },
}

ACTION: Table = {
    "en": {
        "email": "email",
        "letter": "letter",
        "call": "call",
        "fee": "fee",
        "interest": "interest",
        "escalate": "escalation",
        "write_off_recommendation": "write-off recommendation",
    },
    "de": {
        "email": "E-Mail",
        "letter": "Brief",
        "call": "Anruf",
        "fee": "Gebühr",
        "interest": "Zinsen",
        "escalate": "Eskalation",
        "write_off_recommendation": "Empfehlung zur Ausbuchung",
    },
    "fr": {
        "email": "e-mail",
        "letter": "courrier",
        "call": "appel",
        "fee": "frais",
        "interest": "intérêts",
        "escalate": "escalade",
        "write_off_recommendation": "recommandation de passage en perte",
    },
}

STEP: Table = {  # what a plan recommends ("recommend:<step>")
    "en": {
        "agency": "recommended: hand to a collection agency",
        "legal": "recommended: take a legal step",
        "write_off": "recommended: write off",
    },
    "de": {
        "agency": "Empfehlung: Übergabe an ein Inkassobüro",
        "legal": "Empfehlung: gerichtliche Schritte",
        "write_off": "Empfehlung: ausbuchen",
    },
    "fr": {
        "agency": "recommandé : confier à une société de recouvrement",
        "legal": "recommandé : engager une action en justice",
        "write_off": "recommandé : passer en perte",
    },
}

NOTICE: Table = {  # what the case work sends ("notice:<what>:...")
    "en": {
        "promise": "promise confirmation",
        "plan": "payment plan confirmation",
        "installment": "installment reminder",
        "settlement": "settlement offer",
        "dispute": "dispute acknowledgement",
    },
    "de": {
        "promise": "Bestätigung der Zahlungszusage",
        "plan": "Bestätigung der Ratenzahlung",
        "installment": "Erinnerung an eine Rate",
        "settlement": "Vergleichsangebot",
        "dispute": "Eingangsbestätigung der Beanstandung",
    },
    "fr": {
        "promise": "confirmation de la promesse de paiement",
        "plan": "confirmation de l’échéancier",
        "installment": "rappel d’échéance",
        "settlement": "proposition de règlement transactionnel",
        "dispute": "accusé de réception de la réclamation",
    },
}

TEMPLATE: Table = {  # the built-in templates' names
    "en": {
        "reminder-before-due": "reminder before the due date",
        "overdue-friendly": "friendly reminder",
        "overdue-firm": "firm reminder",
        "final-notice": "final notice",
        "letter-before-action": "letter before action",
        "promise-confirmation": "promise confirmation",
        "promise-broken": "broken-promise follow-up",
        "plan-confirmation": "payment plan confirmation",
        "installment-reminder": "installment reminder",
        "settlement-offer": "settlement offer",
        "dispute-acknowledgement": "dispute acknowledgement",
        "statement": "statement of account",
    },
}

TASK: Table = {  # what the worklist asks a person to do
    "en": {
        "call": "call",
        "escalate": "escalation to decide",
        "write_off_recommendation": "write-off recommendation",
        "broken_promise": "broken promise",
        "plan_default": "payment plan in default",
        "settlement_lapsed": "settlement not paid in time",
        "approval": "approval",
        "follow-up": "follow-up",
    },
}

ENTRY: Table = {  # the kinds of history entry
    "en": {
        "import": "import",
        "payment": "payment",
        "email": "email",
        "letter": "letter",
        "message_sent": "message sent",
        "message_failed": "message not delivered",
        "message_withdrawn": "message withdrawn",
        "call": "call",
        "visit": "visit",
        "note": "note",
        "promise": "promise to pay",
        "promise_kept": "promise kept",
        "promise_broken": "promise broken",
        "plan": "payment plan",
        "plan_installment": "installment",
        "plan_default": "payment plan in default",
        "plan_completed": "payment plan completed",
        "settlement_offer": "settlement offer",
        "settlement_approved": "settlement approved",
        "settlement_accepted": "settlement accepted",
        "settlement_paid": "settlement paid",
        "settlement_lapsed": "settlement lapsed",
        "settlement_refused": "settlement refused",
        "dispute": "dispute",
        "dispute_resolved": "dispute resolved",
        "credit_requested": "credit note requested",
        "fee": "fee",
        "interest": "interest",
        "stage": "reminder stage",
        "escalate": "escalation recommended",
        "write_off_recommendation": "write-off recommended",
        "handoff": "placed with an agency",
        "agency_recovery": "recovered by the agency",
        "recall": "recalled from the agency",
        "write_off": "written off",
        "write_off_requested": "write-off requested",
        "write_off_reversed": "write-off reversed",
        "hold": "hold",
        "override": "contact rule overridden",
        "correction": "correction",
    },
}

OUTCOME: Table = {  # of a call
    "en": {
        "no_answer": "no answer",
        "left_message": "left a message",
        "promise": "spoke: promised to pay",
        "dispute": "spoke: disputes the invoice",
        "hardship": "spoke: in hardship, cannot pay now",
        "refused": "spoke: refuses to pay",
        "stop_calling": "spoke: asked us to stop contacting them",
        "wrong_number": "wrong number",
        "spoke": "spoke",
    },
    "de": {
        "no_answer": "nicht erreicht",
        "left_message": "Nachricht hinterlassen",
        "promise": "gesprochen: Zahlung zugesagt",
        "dispute": "gesprochen: beanstandet die Rechnung",
        "hardship": "gesprochen: in Not, kann jetzt nicht zahlen",
        "refused": "gesprochen: verweigert die Zahlung",
        "stop_calling": "gesprochen: wünscht keinen Kontakt mehr",
        "wrong_number": "falsche Nummer",
        "spoke": "gesprochen",
    },
    "fr": {
        "no_answer": "pas de réponse",
        "left_message": "message laissé",
        "promise": "joint : a promis de payer",
        "dispute": "joint : conteste la facture",
        "hardship": "joint : en difficulté, ne peut pas payer",
        "refused": "joint : refuse de payer",
        "stop_calling": "joint : ne souhaite plus être contacté",
        "wrong_number": "mauvais numéro",
        "spoke": "joint",
    },
}

DISPUTE_REASON: Table = {
    "en": {
        "not_received": "goods or service not received",
        "quality": "faulty, incomplete or not as agreed",
        "price": "wrong price, quantity or rate",
        "already_paid": "says it is already paid",
        "duplicate": "invoiced twice",
        "not_ordered": "not ordered",
        "wrong_customer": "addressed to the wrong party",
        "other": "other",
    },
    "de": {
        "not_received": "Ware oder Leistung nicht erhalten",
        "quality": "mangelhaft, unvollständig oder nicht wie vereinbart",
        "price": "falscher Preis, falsche Menge oder falscher Satz",
        "already_paid": "nach Ihrer Angabe bereits bezahlt",
        "duplicate": "doppelt berechnet",
        "not_ordered": "nicht bestellt",
        "wrong_customer": "an den falschen Empfänger gerichtet",
        "other": "sonstiger Grund",
    },
    "fr": {
        "not_received": "marchandise ou prestation non reçue",
        "quality": "défectueuse, incomplète ou non conforme",
        "price": "prix, quantité ou tarif erroné",
        "already_paid": "déjà réglée selon vous",
        "duplicate": "facturée deux fois",
        "not_ordered": "non commandée",
        "wrong_customer": "adressée au mauvais destinataire",
        "other": "autre motif",
    },
}

DISPUTE_STATUS: Table = {
    "en": {
        "open": "open",
        "credit_note": "settled by a credit note",
        "upheld": "upheld (credited in full)",
        "rejected": "rejected (the invoice stands)",
    },
}

WRITE_OFF_REASON: Table = {
    "en": {
        "settlement": "settled for less: the rest is written off",
        "uncollectible": "no realistic prospect of payment",
        "insolvency": "the customer is insolvent",
        "time_barred": "the debt is time-barred",
        "small_balance": "too small to be worth collecting",
        "dispute": "given up after a dispute",
        "agency": "the agency could not recover it",
        "other": "other reason",
    },
}

STATUS: Table = {  # of invoices, promises, plans, installments, settlements, messages
    "en": {
        "open": "open",
        "partial": "partly paid",
        "paid": "paid",
        "credit": "credit note",
        "kept": "kept",
        "broken": "broken",
        "cancelled": "cancelled",
        "current": "current",
        "completed": "completed",
        "defaulted": "in default",
        "upcoming": "upcoming",
        "due": "due",
        "missed": "missed",
        "offered": "offered",
        "accepted": "accepted",
        "settled": "settled",
        "lapsed": "lapsed",
        "refused": "refused",
        "needs_approval": "waiting for approval",
        "pending": "waiting to be sent",
        "sending": "being sent",
        "sent": "sent",
        "failed": "not delivered",
        "withdrawn": "withdrawn",
    },
    "de": {
        "open": "offen",
        "partial": "teilweise bezahlt",
        "paid": "bezahlt",
        "credit": "Gutschrift",
        "kept": "eingehalten",
        "broken": "nicht eingehalten",
        "cancelled": "aufgehoben",
        "current": "laufend",
        "completed": "abgeschlossen",
        "defaulted": "im Verzug",
        "upcoming": "anstehend",
        "due": "fällig",
        "missed": "versäumt",
    },
    "fr": {
        "open": "ouverte",
        "partial": "partiellement réglée",
        "paid": "réglée",
        "credit": "avoir",
        "kept": "tenue",
        "broken": "non tenue",
        "cancelled": "annulée",
        "current": "en cours",
        "completed": "terminé",
        "defaulted": "défaillant",
        "upcoming": "à venir",
        "due": "exigible",
        "missed": "manquée",
    },
}

ARRANGEMENT: Table = {
    "en": {"promise": "promise to pay", "plan": "payment plan", "settlement": "settlement"},
    "de": {"promise": "Zahlungszusage", "plan": "Ratenzahlung", "settlement": "Vergleich"},
    "fr": {
        "promise": "promesse de paiement",
        "plan": "échéancier",
        "settlement": "règlement transactionnel",
    },
}

CATEGORY: Table = {  # the debtor categories
    "en": {
        "reliable": "reliable payer",
        "evader": "evader: avoids paying",
        "juggler": "juggler: many bills, pays in parts",
        "troubled": "good payer in temporary trouble",
        "unknown": "not yet known",
    },
}

METHOD: Table = {  # how a payment came
    "en": {
        "transfer": "bank transfer",
        "bank_transfer": "bank transfer",
        "direct_debit": "direct debit",
        "card": "card",
        "cheque": "cheque",
        "check": "check",
        "cash": "cash",
    },
}

CHANNEL: Table = {
    "en": {"email": "email", "letter": "letter", "phone": "phone", "sms": "text message"},
    "de": {"email": "E-Mail", "letter": "Brief", "phone": "Telefon", "sms": "SMS"},
    "fr": {"email": "e-mail", "letter": "courrier", "phone": "téléphone", "sms": "SMS"},
}

# what a piece of a bank match's evidence says (`recoup.domain.matching.evidence`): the
# text found, the figure, or the figure as money; a date's by whether it was on, after
# or before the due date
EVIDENCE: Table = {
    "en": {
        "reference": "payment reference {found}",
        "number": "invoice number written: {found}",
        "near_number": "invoice number with one character different: {found}",
        "amount_exact": "amount exact",
        "amount_charges": "{money} short (bank charges?)",
        "amount_sum": "amount is the sum of {n} invoices",
        "amount_part": "pays part; {money} stays open",
        "amount_over": "{money} more than is open (kept on account)",
        "iban": "payer's account {found} known for this customer",
        "name": "payer name {found} ({n}% alike)",
        "other_payer": "paid by {found}, not this customer",
        "date_on": "paid on the due date",
        "date_after": "paid {n} days after the due date",
        "date_before": "paid {n} days before the due date",
        "date_after_1": "paid 1 day after the due date",
        "date_before_1": "paid 1 day before the due date",
    },
    "de": {
        "reference": "Zahlungsreferenz {found}",
        "number": "Rechnungsnummer angegeben: {found}",
        "near_number": "Rechnungsnummer mit einem abweichenden Zeichen: {found}",
        "amount_exact": "Betrag stimmt genau",
        "amount_charges": "{money} zu wenig (Bankgebühren?)",
        "amount_sum": "Betrag ist die Summe von {n} Rechnungen",
        "amount_part": "zahlt einen Teil; Rest offen: {money}",
        "amount_over": "{money} mehr als offen (als Guthaben behalten)",
        "iban": "Konto des Zahlers {found} ist für diesen Kunden bekannt",
        "name": "Name des Zahlers {found} ({n} % ähnlich)",
        "other_payer": "gezahlt von {found}, nicht von diesem Kunden",
        "date_on": "am Fälligkeitstag gezahlt",
        "date_after": "{n} Tage nach dem Fälligkeitstag gezahlt",
        "date_before": "{n} Tage vor dem Fälligkeitstag gezahlt",
        "date_after_1": "1 Tag nach dem Fälligkeitstag gezahlt",
        "date_before_1": "1 Tag vor dem Fälligkeitstag gezahlt",
    },
    "fr": {
        "reference": "référence de paiement {found}",
        "number": "numéro de facture indiqué : {found}",
        "near_number": "numéro de facture à un caractère près : {found}",
        "amount_exact": "montant exact",
        "amount_charges": "{money} de moins (frais bancaires ?)",
        "amount_sum": "le montant est la somme de {n} factures",
        "amount_part": "paiement partiel ; reste dû : {money}",
        "amount_over": "excédent de {money} (gardé sur le compte du client)",
        "iban": "compte du payeur {found} connu pour ce client",
        "name": "nom du payeur {found} (similaire à {n} %)",
        "other_payer": "payé par {found}, pas par ce client",
        "date_on": "payé à l'échéance",
        "date_after": "payé {n} jours après l'échéance",
        "date_before": "payé {n} jours avant l'échéance",
        "date_after_1": "payé 1 jour après l'échéance",
        "date_before_1": "payé 1 jour avant l'échéance",
    },
}

TABLES: dict[str, Table] = {
    "hold": HOLD,
    "action": ACTION,
    "step": STEP,
    "notice": NOTICE,
    "template": TEMPLATE,
    "task": TASK,
    "entry": ENTRY,
    "outcome": OUTCOME,
    "dispute_reason": DISPUTE_REASON,
    "dispute_status": DISPUTE_STATUS,
    "write_off_reason": WRITE_OFF_REASON,
    "status": STATUS,
    "arrangement": ARRANGEMENT,
    "category": CATEGORY,
    "method": METHOD,
    "channel": CHANNEL,
    "evidence": EVIDENCE,
}

# Nouns for counts: (singular, plural) per language.
NOUNS: dict[str, dict[str, tuple[str, str]]] = {
    "en": {
        "invoice": ("invoice", "invoices"),
        "open invoice": ("open invoice", "open invoices"),
        "late invoice": ("late invoice", "late invoices"),
        "credit note": ("credit note", "credit notes"),
        "installment": ("installment", "installments"),
        "promise": ("promise", "promises"),
        "broken promise": ("broken promise", "broken promises"),
        "dispute": ("dispute", "disputes"),
        "problem": ("problem", "problems"),
        "message": ("message", "messages"),
        "day": ("day", "days"),
        "entry": ("entry", "entries"),
    },
    "de": {
        "invoice": ("Rechnung", "Rechnungen"),
        "open invoice": ("offene Rechnung", "offene Rechnungen"),
        "late invoice": ("verspätete Rechnung", "verspätete Rechnungen"),
        "credit note": ("Gutschrift", "Gutschriften"),
        "installment": ("Rate", "Raten"),
        "promise": ("Zahlungszusage", "Zahlungszusagen"),
        "broken promise": ("nicht eingehaltene Zusage", "nicht eingehaltene Zusagen"),
        "dispute": ("Beanstandung", "Beanstandungen"),
        "problem": ("Problem", "Probleme"),
        "message": ("Nachricht", "Nachrichten"),
        "day": ("Tag", "Tage"),
        "entry": ("Eintrag", "Einträge"),
    },
    "fr": {
        "invoice": ("facture", "factures"),
        "open invoice": ("facture ouverte", "factures ouvertes"),
        "late invoice": ("facture en retard", "factures en retard"),
        "credit note": ("avoir", "avoirs"),
        "installment": ("échéance", "échéances"),
        "promise": ("promesse", "promesses"),
        "broken promise": ("promesse non tenue", "promesses non tenues"),
        "dispute": ("réclamation", "réclamations"),
        "problem": ("problème", "problèmes"),
        "message": ("message", "messages"),
        "day": ("jour", "jours"),
        "entry": ("entrée", "entrées"),
    },
}
