// Validates Adaptive Cards with the official parser (npm adaptivecards,
// pinned in package-lock.json). Reads [{"name", "card"}] on stdin; writes
// [{"name", "problems": [...]}] on stdout. Each card is parsed at the
// version it declares (an element or property newer than that is a
// problem), and at the version below it, where something must then fail:
// otherwise the card could declare a lower version.
const path = require("path");
const AC = require(path.join(process.argv[2], "adaptivecards", "dist", "adaptivecards.js"));

function events(json, version) {
  const ctx = new AC.SerializationContext(AC.Version.parse(version, new AC.SerializationContext()));
  const card = new AC.AdaptiveCard();
  card.parse(json, ctx);
  const out = [];
  for (let i = 0; i < ctx.eventCount; i++) {
    const e = ctx.getEventAt(i);
    out.push(AC.ValidationEvent[e.event] + ": " + e.message);
  }
  for (const e of card.validateProperties().validationEvents) {
    out.push(AC.ValidationEvent[e.event] + ": " + e.message);
  }
  return out;
}

let input = "";
process.stdin.on("data", (d) => (input += d));
process.stdin.on("end", () => {
  const results = [];
  for (const { name, card } of JSON.parse(input)) {
    const problems = [];
    if (card.type !== "AdaptiveCard") problems.push("type is not AdaptiveCard");
    const v = AC.Version.parse(card.version, new AC.SerializationContext());
    if (!v || !v.isValid) problems.push("invalid version " + card.version);
    problems.push(...events(card, card.version));
    if (v && v.isValid && v.minor > 0) {
      const lower = v.major + "." + (v.minor - 1);
      if (events(card, lower).length === 0) problems.push("declares " + card.version + " but validates as " + lower);
    }
    results.push({ name, problems });
  }
  process.stdout.write(JSON.stringify(results));
});
