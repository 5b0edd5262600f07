// Chat page of the bot. Everything from the server is inserted with
// text nodes and createElement, never parsed as HTML: official answers, user text
// and labels are all untrusted here.
"use strict";

(function () {
  const T = {
    fr: {
      title: "Assistant sur la suspension des assistants virtuels d'IA générative",
      intro: "Posez une question sur l'indication d'application IA-RI-2025-001-OP ou vérifiez si votre usage est permis. Les réponses citent mot pour mot la FAQ officielle du MCN.",
      skip: "Aller à la zone de saisie",
      quick: "Raccourcis",
      check: "Vérifier l'admissibilité",
      help: "Aide",
      contact: "Joindre une personne",
      restart: "Recommencer",
      conversation: "Conversation",
      welcome: "Bonjour ! Écrivez votre question ci-dessous, par exemple : « Puis-je utiliser ChatGPT au travail ? »",
      label: "Votre question",
      send: "Envoyer",
      hint: "Entrée pour envoyer, Maj+Entrée pour un saut de ligne.",
      limit: (max) => "Au plus " + num(max, "fr") + " caractères.",
      count: (n, max) => num(n, "fr") + " / " + num(max, "fr"),
      cut: (max) => "Le texte collé a été coupé à " + num(max, "fr") + " caractères.",
      switchTo: "English", switchLang: "en",
      you: "Vous :", bot: "Assistant :",
      waiting: "Envoi en cours… l'assistant prépare sa réponse.",
      slow: "L'assistant met plus de temps que d'habitude à répondre…",
      empty: "Écrivez d'abord votre question dans la zone de saisie.",
      wait: "Patientez : l'assistant répond encore à votre message précédent.",
      ready: "Réponse reçue.",
      progress: (n, m) => !m ? "Question " + n : m <= 1 ? "Question " + n + " — dernière question" : "Question " + n + " — au plus " + m + " restantes",
      chosen: "réponse choisie",
      why: "Pourquoi cette question ?",
      verdict: "Résultat",
      kindLine: (k) => "Résultat : " + k,
      kinds: {
        "hors-portee": "Non visé par la suspension",
        "usage-individuel": "Non visé par la suspension",
        "exception": "Une exception s'applique",
        "usage-individuel-non-permis": "Non permis",
        "suspendu": "Suspendu",
        "indetermine": "À confirmer",
      },
      exceptions: "Exception(s) :",
      toVerify: "À vérifier :",
      refs: "Références (FAQ) :",
      suggestions: "Vouliez-vous dire :",
      escalation: "Pour joindre le MCN : ",
      mail: "Préparer le courriel",
      mailNote: "Le courriel s'ouvre dans votre messagerie ; rien n'est envoyé sans vous.",
      retry: "Réessayer",
      fail: {
        timeout: ["L'assistant n'a pas répondu à temps.", "Aucune réponse : délai d'attente dépassé.", "Sans réponse"],
        network: ["Impossible de joindre l'assistant pour le moment.", "Message non envoyé : l'assistant est injoignable.", "Non envoyé"],
        offline: ["Votre appareil semble hors ligne.", "Message non envoyé : pas de connexion réseau.", "Non envoyé"],
        server: ["L'assistant a éprouvé un problème technique.", "Aucune réponse : erreur du serveur.", "Sans réponse"],
        refused: ["Votre message n'a pas été accepté.", "Message refusé par le serveur.", "Refusé"],
      },
      offlineNow: "Votre appareil est hors ligne : il faut une connexion pour envoyer un message.",
      onlineNow: "Connexion rétablie.",
      failCode: (s) => "(code " + s + ")",
      failDraft: "Votre texte est resté dans la zone de saisie : rien n'est perdu.",
      failAgain: "Vous pouvez réessayer maintenant ou dans quelques minutes. Si le problème persiste, signalez-le à votre service informatique.",
      cmd: { check: "admissibilite", help: "aide", contact: "contact", restart: "recommencer" },
    },
    en: {
      title: "Assistant on the suspension of generative AI virtual assistants",
      intro: "Ask a question about directive IA-RI-2025-001-OP or check whether your use is allowed. Answers quote the official MCN FAQ word for word (in French).",
      skip: "Skip to the message box",
      quick: "Shortcuts",
      check: "Check eligibility",
      help: "Help",
      contact: "Reach a person",
      restart: "Start over",
      conversation: "Conversation",
      welcome: "Hello! Type your question below, for example: “Can I use ChatGPT at work?”",
      label: "Your question",
      send: "Send",
      hint: "Enter to send, Shift+Enter for a new line.",
      limit: (max) => "At most " + num(max, "en") + " characters.",
      count: (n, max) => num(n, "en") + " / " + num(max, "en"),
      cut: (max) => "The pasted text was cut to " + num(max, "en") + " characters.",
      switchTo: "Français", switchLang: "fr",
      you: "You:", bot: "Assistant:",
      waiting: "Sending… the assistant is preparing its answer.",
      slow: "The assistant is taking longer than usual to answer…",
      empty: "Type your question in the message box first.",
      wait: "Please wait: the assistant is still answering your previous message.",
      ready: "Answer received.",
      progress: (n, m) => !m ? "Question " + n : m <= 1 ? "Question " + n + " — last question" : "Question " + n + " — at most " + m + " to go",
      chosen: "your answer",
      why: "Why do we ask?",
      verdict: "Result",
      kindLine: (k) => "Result: " + k,
      kinds: {
        "hors-portee": "Not covered by the suspension",
        "usage-individuel": "Not covered by the suspension",
        "exception": "An exception applies",
        "usage-individuel-non-permis": "Not allowed",
        "suspendu": "Suspended",
        "indetermine": "To be confirmed",
      },
      exceptions: "Exception(s):",
      toVerify: "To verify:",
      refs: "References (FAQ):",
      suggestions: "Did you mean:",
      escalation: "To reach the MCN: ",
      mail: "Prepare the e-mail",
      mailNote: "The e-mail opens in your mail app; nothing is sent without you.",
      retry: "Try again",
      fail: {
        timeout: ["The assistant did not answer in time.", "No answer: the wait timed out.", "No answer"],
        network: ["The assistant cannot be reached at the moment.", "Message not sent: the assistant cannot be reached.", "Not sent"],
        offline: ["Your device seems to be offline.", "Message not sent: no network connection.", "Not sent"],
        server: ["The assistant had a technical problem.", "No answer: server error.", "No answer"],
        refused: ["Your message was not accepted.", "Message refused by the server.", "Refused"],
      },
      offlineNow: "Your device is offline: a connection is needed to send a message.",
      onlineNow: "Connection restored.",
      failCode: (s) => "(code " + s + ")",
      failDraft: "Your text is still in the message box: nothing is lost.",
      failAgain: "You can try again now or in a few minutes. If the problem continues, report it to your IT service.",
      cmd: { check: "eligibility", help: "help", contact: "contact", restart: "restart" },
    },
  };

  // Verdict codes come from the rules data; a code this page does not know
  // gets the neutral style, its title still says what it means.
  const TONE = {
    "hors-portee": "ok", "usage-individuel": "ok", "exception": "ok",
    "usage-individuel-non-permis": "stop", "suspendu": "stop",
    "indetermine": "unsure",
  };

  const store = window.sessionStorage;
  let lang = store.getItem("conformbot.lang") === "en" ? "en" : "fr";
  // Once the person chose a language (the switch, or « english » typed),
  // every request carries it and it wins over the language of the text;
  // until then the server follows each message's language.
  let chosen = store.getItem("conformbot.lang") !== null;
  function chooseLang(l) {
    lang = l === "en" ? "en" : "fr";
    chosen = true;
    store.setItem("conformbot.lang", lang);
    applyLang();
  }
  let busy = false;

  const $ = (id) => document.getElementById(id);
  const log = $("log"), form = $("form"), input = $("text"), status = $("status"), send = $("send");
  const intAttr = (v, dflt) => { const n = parseInt(v, 10); return n > 0 ? n : dflt; };
  // The server writes its own limits into the page.
  const MAX = intAttr(document.body.dataset.maxLength, 2000);
  const TIMEOUT = intAttr(document.body.dataset.timeoutMs, 15000);
  input.maxLength = MAX;
  const reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)");

  function num(n, l) { return new Intl.NumberFormat(l === "en" ? "en-CA" : "fr-CA").format(n); }

  // sessionId is 32 hex characters from the browser's CSPRNG, kept for this
  // tab only; the server treats an unknown id as a new conversation.
  function sessionId() {
    let id = store.getItem("conformbot.session");
    if (!id || !/^[0-9a-f]{32}$/.test(id)) {
      const b = new Uint8Array(16);
      crypto.getRandomValues(b);
      id = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
      store.setItem("conformbot.session", id);
    }
    return id;
  }

  // typo makes the spaces French typography wants unbreakable: before : and
  // », after «, and (narrow) before ; ? !. It changes only which space an
  // existing space is, never a word.
  function typo(s) {
    return String(s)
      .replace(/ (?=[:»])/g, "\u00a0")
      .replace(/« /g, "«\u00a0")
      .replace(/ (?=[;?!])/g, "\u202f");
  }

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v;
      else e.setAttribute(k, v);
    }
    for (const c of children) {
      if (c == null) continue;
      e.append(typeof c === "string" ? document.createTextNode(typo(c)) : c);
    }
    return e;
  }

  const SVG = "http://www.w3.org/2000/svg";
  // icon draws a verdict's symbol; it is decoration beside the words.
  function icon(tone) {
    const s = document.createElementNS(SVG, "svg");
    s.setAttribute("viewBox", "0 0 24 24");
    s.setAttribute("aria-hidden", "true");
    s.setAttribute("focusable", "false");
    const shapes = {
      ok: [["circle", { cx: 12, cy: 12, r: 11, fill: "currentColor" }], ["path", { d: "M6.5 12.5l3.5 3.5 7.5-8", fill: "none", stroke: "#fff", "stroke-width": 2.6, "stroke-linecap": "round", "stroke-linejoin": "round" }]],
      stop: [["path", { d: "M7.2 1h9.6L23 7.2v9.6L16.8 23H7.2L1 16.8V7.2z", fill: "currentColor" }], ["path", { d: "M7.5 7.5l9 9M16.5 7.5l-9 9", stroke: "#fff", "stroke-width": 2.6, "stroke-linecap": "round" }]],
      unsure: [["path", { d: "M12 1.5L23 21.5H1z", fill: "currentColor" }], ["path", { d: "M12 8.5v6.5", stroke: "#fff", "stroke-width": 2.6, "stroke-linecap": "round" }], ["circle", { cx: 12, cy: 18.3, r: 1.5, fill: "#fff" }]],
      info: [["circle", { cx: 12, cy: 12, r: 11, fill: "currentColor" }], ["path", { d: "M12 10.5v7", stroke: "#fff", "stroke-width": 2.6, "stroke-linecap": "round" }], ["circle", { cx: 12, cy: 6.8, r: 1.5, fill: "#fff" }]],
    };
    for (const [tag, attrs] of shapes[tone] || shapes.info) {
      const e = document.createElementNS(SVG, tag);
      for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
      s.append(e);
    }
    return s;
  }

  function applyLang() {
    const t = T[lang];
    document.documentElement.lang = lang;
    document.title = lang === "fr" ? "Assistant IA-RI-2025-001-OP" : "IA-RI-2025-001-OP assistant";
    for (const e of document.querySelectorAll("[data-i18n]")) {
      const v = t[e.dataset.i18n];
      if (typeof v === "string") e.textContent = typo(v);
    }
    // The privacy notice comes from the server, which knows what it keeps.
    const p = $("privacy");
    if (p && p.dataset[lang]) p.textContent = typo(p.dataset[lang]);
    const b = $("lang");
    b.textContent = t.switchTo;
    b.lang = t.switchLang;
    $("limit").textContent = typo(t.limit(MAX));
    updateCount();
  }

  function updateCount() {
    const n = input.value.length;
    const c = $("count");
    c.textContent = T[lang].count(n, MAX);
    c.classList.toggle("near", n >= MAX * 0.9);
  }

  // safeURL keeps only links a user can follow without surprise.
  function safeURL(raw) {
    if (!raw || raw.startsWith("#")) return null;
    try {
      const u = new URL(raw, window.location.href);
      return ["http:", "https:", "mailto:"].includes(u.protocol) ? u.href : null;
    } catch (_) {
      return null;
    }
  }

  // inline appends text with its inline marks: [title](url) links (a link
  // to nowhere, "#", keeps its title as plain text), **strong** and *emphasis*.
  // The marks are dropped; every other character is kept as written.
  function inline(parent, text, marks) {
    const re = /\[([^\]\n]+)\]\(([^)\s]*)\)|\*\*(\S(?:[^*\n]*\S)?)\*\*|\*(\S(?:[^*\n]*\S)?)\*/g;
    let last = 0, m;
    while ((m = re.exec(text)) !== null) {
      marked(parent, text.slice(last, m.index), marks);
      if (m[1] !== undefined) {
        const href = safeURL(m[2]);
        if (href) {
          const a = el("a", { href: href, target: "_blank", rel: "noopener noreferrer" });
          inline(a, m[1]);
          parent.append(a);
        } else {
          inline(parent, m[1]);
        }
      } else {
        const e = el(m[3] !== undefined ? "strong" : "em");
        inline(e, m[3] !== undefined ? m[3] : m[4]);
        parent.append(e);
      }
      last = re.lastIndex;
    }
    marked(parent, text.slice(last), marks);
  }

  // marked appends text with the marks that came beside it in the reply
  // (answer.emphasis: the FAQ's italics; answer.links: the cited documents
  // with an address), each a phrase found where it is in the text: the
  // words are the text's, never changed, and no markup is ever shown.
  function marked(parent, text, marks) {
    let rest = text;
    while (rest) {
      let at = -1, mk = null;
      for (const k of marks || []) {
        const i = k.text ? rest.indexOf(k.text) : -1;
        if (i >= 0 && (at < 0 || i < at)) { at = i; mk = k; }
      }
      if (!mk) break;
      if (at > 0) parent.append(document.createTextNode(typo(rest.slice(0, at))));
      const href = mk.href ? safeURL(mk.href) : null;
      if (mk.href && !href) {
        parent.append(document.createTextNode(typo(mk.text)));
      } else {
        parent.append(el(href ? "a" : "em", href ? { href: href, target: "_blank", rel: "noopener noreferrer" } : {}, mk.text));
      }
      rest = rest.slice(at + mk.text.length);
    }
    if (rest) parent.append(document.createTextNode(typo(rest)));
  }

  // answerMarks are the marks of an answer for marked.
  function answerMarks(a) {
    const marks = [];
    for (const e of a.emphasis || []) marks.push({ text: e });
    for (const k of a.links || []) marks.push({ text: k.title, href: k.url });
    return marks;
  }

  // rich renders verbatim text: blank lines separate paragraphs, "- " lines
  // become list items and "1. " lines numbered ones; nothing else is interpreted.
  function rich(text, marks) {
    const box = document.createDocumentFragment();
    let list = null, para = null;
    for (const line of String(text).split(/\r?\n/)) {
      const bullet = /^\s*[-•]\s+(.*)$/.exec(line);
      const numbered = bullet ? null : /^\s*\d+[.)]\s+(.*)$/.exec(line);
      const item = bullet || numbered;
      if (item) {
        para = null;
        const tag = bullet ? "UL" : "OL";
        if (!list || list.tagName !== tag) { list = el(tag.toLowerCase()); box.append(list); }
        const li = el("li");
        inline(li, item[1], marks);
        list.append(li);
      } else if (line.trim() === "") {
        list = null; para = null;
      } else {
        list = null;
        if (para) para.append(el("br"));
        else { para = el("p"); box.append(para); }
        inline(para, line, marks);
      }
    }
    return box;
  }

  // label appends a button's text with any emoji as decoration beside the
  // words, so that a missing emoji font or a screen reader loses nothing.
  function label(parent, text) {
    const words = text.replace(/[\p{Extended_Pictographic}\u{FE0F}\u{200D}]/gu, "").trim();
    if (!words) { parent.append(text); return; }
    for (const part of text.split(/([\p{Extended_Pictographic}\u{FE0F}\u{200D}]+)/u)) {
      if (!part) continue;
      if (/\p{Extended_Pictographic}/u.test(part)) parent.append(el("span", { class: "emoji", "aria-hidden": "true" }, part));
      else parent.append(typo(part));
    }
  }

  function button(a, onClick) {
    if (a.url) {
      const href = safeURL(a.url);
      if (!href) return null;
      const l = el("a", { class: "button " + (a.style || ""), href: href });
      label(l, a.label);
      return l;
    }
    const b = el("button", { type: "button", class: a.style || "" });
    label(b, a.label);
    b.dataset.action = a.id;
    b.addEventListener("click", () => (onClick ? onClick(b) : post({ payload: { action: a.id }, echo: a.label })));
    return b;
  }

  function row(actions, cls, onClick) {
    const r = el("div", { class: "actions " + (cls || "") });
    for (const a of actions) {
      const b = button(a, onClick);
      if (b) r.append(b);
    }
    return r.childElementCount ? r : null;
  }

  function scrollTo(m, block) {
    m.scrollIntoView({ block: block, behavior: reduceMotion.matches ? "auto" : "smooth" });
  }

  function addMessage(kind, lang_, ...children) {
    const t = T[lang];
    const m = el("div", { class: "msg " + kind, lang: lang_ || lang },
      el("span", { class: "sr-only" }, kind === "user" ? t.you : t.bot), ...children);
    log.append(m);
    scrollTo(m, kind === "user" ? "nearest" : "start");
    return m;
  }

  // An answered question keeps its buttons, disabled, the chosen one marked.
  function choose(group, b) {
    for (const x of group.querySelectorAll("button")) x.disabled = true;
    if (!b) return;
    b.classList.add("chosen");
    b.prepend(el("span", { class: "check", "aria-hidden": "true" }, "✓"));
    b.append(el("span", { class: "sr-only" }, " (" + T[lang].chosen + ")"));
  }

  function unchoose(group) {
    for (const x of group.querySelectorAll("button")) {
      x.disabled = false;
      if (x.classList.contains("chosen")) {
        x.classList.remove("chosen");
        x.querySelector(".check").remove();
        x.lastChild.remove();
      }
    }
  }

  // settleQuestions disables the choices of every earlier question: once
  // the dialog has moved on (by a click or by typed text) they are history.
  function settleQuestions() {
    for (const g of log.querySelectorAll(".choices")) {
      if (g.querySelector("button:not(:disabled)")) choose(g, null);
    }
  }

  function render(r) {
    // Headings come with the reply (the conversation vocabulary); the
    // page's own table only covers an older server.
    const t = Object.assign({}, T[r.lang === "en" ? "en" : "fr"]);
    const L = r.labels || {};
    if (L.why) t.why = L.why;
    if (L.exceptions) t.exceptions = L.exceptions;
    if (L.to_verify) t.toVerify = L.to_verify;
    if (L.references) t.refs = L.references;
    if (L.did_you_mean) t.suggestions = L.did_you_mean;
    if (L.reach) t.escalation = L.reach;
    if (L.write) t.mail = L.write;
    const parts = [];
    const shown = new Set(); // action ids and URLs already rendered in a part
    for (const p of r.paragraphs || []) parts.push(rich(p));
    if (r.answer) {
      const a = r.answer;
      // The passage that answers comes first; the whole official answer
      // follows, collapsed.
      const marks = answerMarks(a);
      const official = el("div", { class: "official", lang: "fr" }, rich(a.text, marks));
      const passage = el("blockquote", { class: "passage", lang: "fr" });
      marked(passage, a.passage || "", marks);
      parts.push(el("article", { class: "answer" },
        el("h3", {}, a.question),
        a.passage ? el("p", { class: "passage-label" }, L.passage || "") : null,
        a.passage ? passage : null,
        a.passage ? el("details", { class: "full-answer" }, el("summary", {}, L.full_answer || ""), official) : official,
        a.source && a.source.label ? el("p", { class: "source" }, a.source.label) : null));
    }
    if (r.question || r.verdict) settleQuestions();
    let firstChoice = null;
    if (r.question) {
      const q = r.question;
      for (const c of q.choices || []) shown.add(c.id);
      const choices = row(q.choices || [], "choices", (b) => {
        if (busy) { setStatus(T[lang].wait); return; }
        choose(choices, b);
        post({ payload: { action: b.dataset.action }, echo: b.dataset.label, group: choices });
      });
      if (choices) {
        for (const b of choices.querySelectorAll("button")) b.dataset.label = b.textContent;
        firstChoice = choices.querySelector("button, a");
      }
      parts.push(el("section", { class: "question" },
        q.step ? el("p", { class: "step" }, L.step || t.progress(q.step, q.remaining)) : null,
        el("h3", {}, q.prompt),
        q.why ? el("details", {}, el("summary", {}, t.why), rich(q.why)) : null,
        choices));
    }
    if (r.verdict) {
      const v = r.verdict;
      const tone = TONE[v.code] || "info";
      const box = el("section", { class: "verdict " + tone, "data-code": v.code },
        el("p", { class: "kind" }, icon(tone), el("span", {}, t.kinds[v.code] ? t.kindLine(t.kinds[v.code]) : t.verdict)),
        el("h3", {}, v.title || t.verdict));
      if (v.conclusion) box.append(el("p", { class: "conclusion" }, v.conclusion));
      if (v.answers && v.answers.length) {
        box.append(el("p", {}, L.your_answers || ""), listOf(v.answers.map((a) => a.label + (lang === "fr" ? " : " : ": ") + a.answer)));
      }
      if (!v.conclusion && v.exceptions && v.exceptions.length) {
        box.append(el("p", {}, t.exceptions), listOf(v.exceptions));
      }
      if (v.explanation) box.append(rich(v.explanation));
      if (v.to_verify && v.to_verify.length) box.append(el("p", {}, t.toVerify), listOf(v.to_verify));
      if (v.citations && v.citations.length) {
        // References open their entry, as follow-ups.
        const refs = v.citations.filter((c) => c.action).map((c) => ({ id: c.action, label: c.label || c.question }));
        for (const a of refs) shown.add(a.id);
        box.append(el("p", {}, t.refs), row(refs, "references") || listOf(v.citations.map((c) => c.question)));
      }
      if (v.source && v.source.label) box.append(el("p", { class: "source" }, v.source.label));
      if (v.receipt && L.receipt) {
        // The receipt is downloaded as a text file, made here from the reply.
        const href = URL.createObjectURL(new Blob([v.receipt], { type: "text/plain;charset=utf-8" }));
        box.append(el("a", { class: "button receipt-download", href: href, download: "recapitulatif-IA-RI-2025-001-OP.txt" }, L.receipt));
      }
      parts.push(box);
    }
    if (r.suggestions && r.suggestions.length) {
      const acts = r.suggestions.map((s) => ({ id: s.action.id, label: s.action.label || s.question, url: s.action.url }));
      for (const a of acts) shown.add(a.id);
      parts.push(el("div", { class: "suggestions" }, el("p", {}, t.suggestions), row(acts)));
    }
    if (r.escalation) {
      const e = r.escalation;
      const href = safeURL(e.mailto);
      if (href) shown.add(e.mailto);
      parts.push(el("div", { class: "escalation" },
        el("p", {}, t.escalation, el("strong", {}, e.email)),
        href ? el("a", { class: "button primary escalation-link", href: href }, t.mail) : null,
        el("p", { class: "hint" }, t.mailNote)));
    }
    const rest = (r.actions || []).filter((a) => !(a.id && shown.has(a.id)) && !(a.url && shown.has(a.url)));
    const others = row(rest, "more");
    if (others) parts.push(others);
    if (!parts.length && r.text) parts.push(rich(r.text));
    addMessage("bot", r.lang, ...parts);
    return firstChoice;
  }

  function listOf(items) {
    const ul = el("ul");
    for (const i of items) { const li = el("li"); inline(li, i); ul.append(li); }
    return ul;
  }

  function setStatus(text, bad) {
    status.textContent = text ? typo(text) : "";
    status.classList.toggle("bad", !!bad);
  }

  // failure says what happened in words for the person asking, puts the
  // draft back, and offers to resend the same request.
  function failure(req, kind, code, serverMsg) {
    const t = T[lang];
    const [title, line, note] = t.fail[kind];
    req.echoEl.classList.add("failed");
    req.echoEl.append(el("span", { class: "note" }, note));
    let restored = false;
    if (req.draft != null && input.value.trim() === "") {
      input.value = req.draft;
      updateCount();
      restored = true;
    }
    if (req.group) unchoose(req.group);
    const canRetry = !(kind === "refused" && [400, 413, 415].includes(code));
    const retry = canRetry ? el("button", { type: "button", class: "primary retry" }, t.retry) : null;
    const m = addMessage("error", lang,
      el("p", { class: "title" }, title + (code ? " " + t.failCode(code) : "")),
      serverMsg ? el("p", {}, serverMsg) : null,
      restored ? el("p", {}, t.failDraft) : null,
      canRetry ? el("p", {}, t.failAgain) : null,
      retry ? el("div", { class: "actions" }, retry) : null);
    if (retry) {
      retry.addEventListener("click", () => {
        if (busy) { setStatus(T[lang].wait); return; }
        m.remove();
        req.echoEl.remove();
        if (restored && input.value.trim() === req.draft.trim()) { input.value = ""; updateCount(); }
        if (req.group) choose(req.group, Array.from(req.group.querySelectorAll("button")).find((b) => b.dataset.action === req.payload.action));
        post(req);
      });
    }
    setStatus(line + (code ? " " + t.failCode(code) : ""), true);
    return restored ? input : (retry || input);
  }

  // post sends one request: req.payload is the body's text or action,
  // req.echo what the log shows as the user's turn, req.draft the typed text
  // to put back on failure, req.group the choices a click answered.
  async function post(req) {
    if (busy) {
      // One request at a time; say so rather than drop the click.
      setStatus(T[lang].wait);
      return;
    }
    busy = true;
    send.disabled = true;
    const t = T[lang];
    req.echoEl = addMessage("user", lang, req.echo);
    setStatus(t.waiting);
    log.setAttribute("aria-busy", "true");
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), TIMEOUT);
    const slow = setTimeout(() => setStatus(T[lang].slow), Math.min(5000, TIMEOUT / 2));
    let focusTarget = input;
    try {
      let res = null, body = null, kind = "";
      try {
        res = await fetch("/api/chat", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify(Object.assign({ session: sessionId() }, chosen ? { lang: lang } : {}, req.payload)),
          credentials: "same-origin",
          signal: ctl.signal,
        });
        body = await res.json().catch(() => null);
        if (ctl.signal.aborted) kind = "timeout";
      } catch (_) {
        kind = ctl.signal.aborted ? "timeout" : navigator.onLine === false ? "offline" : "network";
      }
      if (!kind && res.ok && body && typeof body === "object") {
        if (body.lang_chosen) chooseLang(body.lang);
        const first = render(body);
        if (first) focusTarget = first;
        setStatus(T[lang].ready);
      } else {
        if (!kind) kind = res.status >= 500 || res.ok ? "server" : "refused";
        const msg = body && (lang === "en" ? body.error_en : body.error_fr);
        focusTarget = failure(req, kind, res && !res.ok ? res.status : 0, kind === "refused" ? msg : "");
      }
    } finally {
      clearTimeout(timer);
      clearTimeout(slow);
      log.removeAttribute("aria-busy");
      busy = false;
      send.disabled = false;
      // The log is scrolling to the reply: moving the focus must not stop it.
      focusTarget.focus({ preventScroll: true });
    }
  }

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const text = input.value.trim();
    if (!text) { setStatus(T[lang].empty); input.focus(); return; }
    if (busy) { setStatus(T[lang].wait); return; }
    const draft = input.value;
    input.value = "";
    updateCount();
    post({ payload: { text: text }, echo: text, draft: draft });
  });
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      form.requestSubmit();
    }
  });
  input.addEventListener("input", updateCount);
  input.addEventListener("paste", (ev) => {
    const pasted = (ev.clipboardData && ev.clipboardData.getData("text")) || "";
    const room = MAX - (input.value.length - (input.selectionEnd - input.selectionStart));
    if (pasted.length > room) setStatus(T[lang].cut(MAX), true);
  });
  for (const b of document.querySelectorAll("[data-cmd]")) {
    b.addEventListener("click", () => post({ payload: { text: T[lang].cmd[b.dataset.cmd] }, echo: b.textContent }));
  }
  $("lang").addEventListener("click", () => chooseLang(lang === "fr" ? "en" : "fr"));

  // Where no colour emoji font is installed an emoji draws as an empty box:
  // they are decoration beside words, so hide them there.
  function emojiRenders() {
    try {
      const c = document.createElement("canvas");
      c.width = c.height = 24;
      const g = c.getContext("2d", { willReadFrequently: true });
      g.textBaseline = "top";
      g.font = "20px sans-serif";
      g.fillStyle = "#000";
      g.fillText("\u{1F44D}", 0, 0);
      const d = g.getImageData(0, 0, 24, 24).data;
      for (let i = 0; i < d.length; i += 4) {
        if (d[i + 3] > 0 && (d[i] !== d[i + 1] || d[i + 1] !== d[i + 2])) return true;
      }
      return false;
    } catch (_) {
      return true;
    }
  }
  if (!emojiRenders()) document.documentElement.classList.add("no-emoji");

  window.addEventListener("offline", () => setStatus(T[lang].offlineNow, true));
  window.addEventListener("online", () => setStatus(T[lang].onlineNow));

  applyLang();
  document.body.dataset.ready = "true";
})();
