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
      privacy: "Aucun compte requis. Le texte de vos messages n'est jamais écrit dans les journaux ; les questions restées sans réponse sont conservées, courriels et numéros caviardés, pour améliorer la FAQ.",
      switchTo: "English", switchLang: "en",
      you: "Vous :", bot: "Assistant :",
      waiting: "L'assistant répond…",
      ready: "Réponse reçue.",
      step: "Question {n}",
      why: "Pourquoi cette question ?",
      verdict: "Résultat",
      exceptions: "Exception(s) :",
      toVerify: "À vérifier :",
      refs: "Références (FAQ) :",
      suggestions: "Vouliez-vous dire :",
      escalation: "Pour joindre le MCN : ",
      mail: "Préparer le courriel",
      mailNote: "Le courriel s'ouvre dans votre messagerie ; rien n'est envoyé sans vous.",
      network: "Le serveur ne répond pas. Vérifiez qu'il tourne toujours, puis réessayez.",
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
      privacy: "No account needed. Your messages' text is never written to the logs; unanswered questions are kept, with e-mail addresses and numbers redacted, to improve the FAQ.",
      switchTo: "Français", switchLang: "fr",
      you: "You:", bot: "Assistant:",
      waiting: "The assistant is answering…",
      ready: "Answer received.",
      step: "Question {n}",
      why: "Why do we ask?",
      verdict: "Result",
      exceptions: "Exception(s):",
      toVerify: "To verify:",
      refs: "References (FAQ):",
      suggestions: "Did you mean:",
      escalation: "To reach the MCN: ",
      mail: "Prepare the e-mail",
      mailNote: "The e-mail opens in your mail app; nothing is sent without you.",
      network: "The server does not answer. Check that it is still running, then try again.",
      cmd: { check: "eligibility", help: "help", contact: "contact", restart: "restart" },
    },
  };

  const store = window.sessionStorage;
  let lang = store.getItem("conformbot.lang") === "en" ? "en" : "fr";
  let busy = false;

  const $ = (id) => document.getElementById(id);
  const log = $("log"), form = $("form"), input = $("text"), status = $("status"), send = $("send");

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

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v;
      else e.setAttribute(k, v);
    }
    for (const c of children) {
      if (c == null) continue;
      e.append(typeof c === "string" ? document.createTextNode(c) : c);
    }
    return e;
  }

  function applyLang() {
    const t = T[lang];
    document.documentElement.lang = lang;
    document.title = lang === "fr" ? "Assistant IA-RI-2025-001-OP" : "IA-RI-2025-001-OP assistant";
    for (const e of document.querySelectorAll("[data-i18n]")) {
      const v = t[e.dataset.i18n];
      if (typeof v === "string") e.textContent = v;
    }
    const b = $("lang");
    b.textContent = t.switchTo;
    b.lang = t.switchLang;
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

  // inline appends text with [title](url) links; a link to nowhere ("#")
  // keeps its title as plain text.
  function inline(parent, text) {
    const re = /\[([^\]\n]+)\]\(([^)\s]*)\)/g;
    let last = 0, m;
    while ((m = re.exec(text)) !== null) {
      parent.append(document.createTextNode(text.slice(last, m.index)));
      const href = safeURL(m[2]);
      if (href) {
        parent.append(el("a", { href: href, target: "_blank", rel: "noopener noreferrer" }, m[1]));
      } else {
        parent.append(document.createTextNode(m[1]));
      }
      last = re.lastIndex;
    }
    parent.append(document.createTextNode(text.slice(last)));
  }

  // rich renders verbatim text: blank lines separate paragraphs and "- "
  // lines become list items; nothing else is interpreted.
  function rich(text) {
    const box = document.createDocumentFragment();
    let list = null, para = null;
    for (const line of String(text).split(/\r?\n/)) {
      const item = /^\s*[-•]\s+(.*)$/.exec(line);
      if (item) {
        para = null;
        if (!list) { list = el("ul"); box.append(list); }
        const li = el("li");
        inline(li, item[1]);
        list.append(li);
      } else if (line.trim() === "") {
        list = null; para = null;
      } else {
        list = null;
        if (para) para.append(el("br"));
        else { para = el("p"); box.append(para); }
        inline(para, line);
      }
    }
    return box;
  }

  function button(a, extraClass) {
    if (a.url) {
      const href = safeURL(a.url);
      if (!href) return null;
      return el("a", { class: "button " + (a.style || "") + " " + (extraClass || ""), href: href }, a.label);
    }
    const b = el("button", { type: "button", class: (a.style || "") + " " + (extraClass || "") }, a.label);
    b.dataset.action = a.id;
    b.addEventListener("click", () => post({ action: a.id }, a.label));
    return b;
  }

  function row(actions, cls) {
    const r = el("div", { class: "actions " + (cls || "") });
    for (const a of actions) {
      const b = button(a);
      if (b) r.append(b);
    }
    return r.childElementCount ? r : null;
  }

  function addMessage(kind, lang_, ...children) {
    const t = T[lang];
    const m = el("div", { class: "msg " + kind, lang: lang_ || lang },
      el("span", { class: "sr-only" }, kind === "user" ? t.you : t.bot), ...children);
    log.append(m);
    m.scrollIntoView({ block: "nearest" });
    return m;
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
      parts.push(el("article", { class: "answer" },
        el("h3", {}, a.question),
        el("div", { class: "official", lang: "fr" }, rich(a.text)),
        a.source && a.source.label ? el("p", { class: "source" }, a.source.label) : null));
    }
    let firstChoice = null;
    if (r.question) {
      const q = r.question;
      const choices = row(q.choices || [], "choices");
      for (const c of q.choices || []) shown.add(c.id);
      if (choices) firstChoice = choices.querySelector("button, a");
      parts.push(el("section", { class: "question" },
        q.step ? el("p", { class: "step" }, L.step || t.step.replace("{n}", q.step)) : null,
        el("h3", {}, q.prompt),
        q.why ? el("details", {}, el("summary", {}, t.why), rich(q.why)) : null,
        choices));
    }
    if (r.verdict) {
      const v = r.verdict;
      const box = el("section", { class: "verdict", "data-code": v.code },
        el("h3", {}, v.title || t.verdict));
      if (v.exceptions && v.exceptions.length) {
        box.append(el("p", {}, t.exceptions), listOf(v.exceptions));
      }
      if (v.explanation) box.append(rich(v.explanation));
      if (v.to_verify && v.to_verify.length) box.append(el("p", {}, t.toVerify), listOf(v.to_verify));
      if (v.citations && v.citations.length) box.append(el("p", {}, t.refs), listOf(v.citations.map((c) => c.question)));
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

  async function post(payload, echo) {
    if (busy) return;
    busy = true;
    send.disabled = true;
    const t = T[lang];
    addMessage("user", lang, echo);
    status.textContent = t.waiting;
    log.setAttribute("aria-busy", "true");
    let focusTarget = input;
    try {
      const res = await fetch("/api/chat", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(Object.assign({ session: sessionId(), lang: lang }, payload)),
        credentials: "same-origin",
      });
      const body = await res.json().catch(() => ({}));
      if (!res.ok) {
        addMessage("error", lang, el("p", {}, (lang === "en" ? body.error_en : body.error_fr) || body.error || t.network));
      } else {
        const first = render(body);
        if (first) focusTarget = first;
      }
      status.textContent = t.ready;
    } catch (_) {
      addMessage("error", lang, el("p", {}, t.network));
      status.textContent = "";
    } finally {
      log.removeAttribute("aria-busy");
      busy = false;
      send.disabled = false;
      focusTarget.focus();
    }
  }

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const text = input.value.trim();
    if (!text || busy) return;
    input.value = "";
    post({ text: text }, text);
  });
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      form.requestSubmit();
    }
  });
  for (const b of document.querySelectorAll("[data-cmd]")) {
    b.addEventListener("click", () => post({ text: T[lang].cmd[b.dataset.cmd] }, b.textContent));
  }
  $("lang").addEventListener("click", () => {
    lang = lang === "fr" ? "en" : "fr";
    store.setItem("conformbot.lang", lang);
    applyLang();
  });

  applyLang();
  document.body.dataset.ready = "true";
})();
