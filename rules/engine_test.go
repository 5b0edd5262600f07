package rules

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// full evaluates a complete assignment (no fact left unasked) the simple
// way: the verdict whose condition is true under Kleene logic, else the
// fallback. It is the reference the dialog's shortcuts are checked against.
func full(rs *RuleSet, st []state) string {
	sets := make([]uint8, rs.maxNodes)
	for _, v := range rs.verdicts {
		if v.when.reach(st, false, sets) == kT {
			return v.code
		}
	}
	return rs.fallback.code
}

// completions calls fn with every yes/no completion of the unasked facts of
// st except skip; it stops when fn returns true and reports whether it did.
func completions(st []state, skip int, fn func([]state) bool) bool {
	var open []int
	for i, s := range st {
		if s == sOpen && i != skip {
			open = append(open, i)
		}
	}
	c := slices.Clone(st)
	for bits := 0; bits < 1<<len(open); bits++ {
		for j, fi := range open {
			c[fi] = sNo
			if bits>>j&1 == 1 {
				c[fi] = sYes
			}
		}
		if fn(c) {
			return true
		}
	}
	return false
}

// canChange reports whether some completion of the other unasked facts
// makes the final verdict depend on fact x.
func canChange(rs *RuleSet, st []state, x int) bool {
	return completions(st, x, func(c []state) bool {
		var got []string
		for _, v := range []state{sYes, sNo, sUnknown} {
			c[x] = v
			got = append(got, full(rs, c))
		}
		c[x] = sOpen
		return got[0] != got[1] || got[1] != got[2]
	})
}

// checkStep asserts the engine's claim about one dialog state against
// brute force: an asked fact can change the verdict, a verdict cannot be
// changed by any unasked fact, and the fallback is reached only when no
// unasked fact can lead to another verdict.
func checkStep(t *testing.T, rs *RuleSet, st []state, o Outcome) {
	t.Helper()
	switch {
	case o.Next != "":
		x := rs.factIdx[o.Next]
		if st[x] != sOpen {
			t.Fatalf("asks %s again", o.Next)
		}
		if !canChange(rs, st, x) {
			t.Errorf("asks %s, whose answer cannot change the verdict (state %v)", o.Next, st)
		}
	case o.Verdict == rs.fallback.code:
		if completions(st, -1, func(c []state) bool { return full(rs, c) != o.Verdict }) {
			t.Errorf("gives %s although unasked facts could still settle it (state %v)", o.Verdict, st)
		}
		for _, name := range o.ToVerify {
			x := rs.factIdx[name]
			c := slices.Clone(st)
			changes := false
			for _, v := range []state{sYes, sNo} {
				c[x] = v
				changes = changes || completions(c, -1, func(cc []state) bool { return full(rs, cc) != o.Verdict })
			}
			if !changes {
				t.Errorf("lists %s to verify, but knowing it would not settle anything", name)
			}
		}
		if len(o.ToVerify) == 0 {
			t.Errorf("fallback without facts to verify")
		}
	default:
		if completions(st, -1, func(c []state) bool { return full(rs, c) != o.Verdict }) {
			t.Errorf("stops at %s although an unasked fact could change it (state %v)", o.Verdict, st)
		}
	}
}

// TestAsksOnlyWhatMatters replays every scenario step by step and checks
// each step by brute force.
func TestAsksOnlyWhatMatters(t *testing.T) {
	t.Parallel()
	rs := mustDefault(t)
	for _, s := range append(devScenarios(t), rs.Scenarios()...) {
		given := rs.states(s.Facts)
		st := make([]state, len(rs.facts))
		for {
			o := rs.evaluate(st)
			checkStep(t, rs, st, o)
			if o.Decided() || t.Failed() {
				break
			}
			i := rs.factIdx[o.Next]
			st[i] = given[i]
			if st[i] == sOpen {
				st[i] = sUnknown
			}
		}
		if t.Failed() {
			t.Fatalf("scenario %s:%d %q", s.File, s.Line, s.Story)
		}
	}
}

// reference applies ELIGIBILITY.md directly, written independently of the
// rules files, on yes/no answers.
func reference(a map[string]bool) (string, []string) {
	switch {
	case !a["organisme_public"] || !a["assistant_iag"]:
		return "hors-portee", nil
	case a["usage_individuel_gratuit"] && a["acces_permis"]:
		return "usage-individuel", nil
	case a["usage_individuel_gratuit"]:
		return "usage-individuel-non-permis", nil
	}
	var exc []string
	if a["experimentation_mcn"] {
		exc = append(exc, "experimentation-mcn")
	}
	if a["dossier_affaires_dpi"] {
		exc = append(exc, "dossier-affaires")
	}
	if a["gestion_risques"] && a["avis_securite"] && a["qualite_donnees"] && a["dossier_opportunite"] && a["formation"] && a["declaration_collecte"] {
		exc = append(exc, "demarche-structuree")
	}
	if a["deploye_avant_suspension"] && a["approuve_securite"] && a["efvp"] {
		exc = append(exc, "deploiement-anterieur")
	}
	if a["autorisation_dpi"] {
		exc = append(exc, "autorisation-dpi")
	}
	if len(exc) > 0 {
		return "exception", exc
	}
	return "suspendu", nil
}

// referenceUnknown extends reference to unknown answers: the verdict if it
// is the same whatever the unknown facts are, else indetermine; exceptions
// are those that hold in every case.
func referenceUnknown(names []string, f Facts) (string, []string) {
	var unknown []string
	a := map[string]bool{}
	for _, n := range names {
		switch f[n] {
		case Yes:
			a[n] = true
		case Unknown:
			unknown = append(unknown, n)
		}
	}
	verdict, always := "", []string(nil)
	for bits := 0; bits < 1<<len(unknown); bits++ {
		for j, n := range unknown {
			a[n] = bits>>j&1 == 1
		}
		v, exc := reference(a)
		if bits == 0 {
			verdict, always = v, exc
			continue
		}
		if v != verdict {
			return "indetermine", nil
		}
		always = slices.DeleteFunc(always, func(e string) bool { return !slices.Contains(exc, e) })
	}
	return verdict, always
}

// TestMatchesReference plays every yes/no combination of the 16 facts, and
// random combinations with unknown answers, through the dialog and compares
// with the reference reading of ELIGIBILITY.md.
func TestMatchesReference(t *testing.T) {
	t.Parallel()
	rs := mustDefault(t)
	names := rs.FactNames()
	if len(names) != 16 {
		t.Fatalf("%d facts, the reference knows 16", len(names))
	}
	step := 1
	if testing.Short() {
		step = 17
	}
	check := func(f Facts) {
		o, asked := rs.Play(f)
		want, wantExc := referenceUnknown(names, f)
		if o.Verdict != want {
			t.Fatalf("facts %v: verdict %s, reference %s (asked %v)", f, o.Verdict, want, asked)
		}
		if want == "exception" && len(o.Exceptions) == 0 {
			t.Fatalf("facts %v: exception without a name", f)
		}
		for _, e := range o.Exceptions {
			if !slices.Contains(wantExc, e) {
				t.Fatalf("facts %v: exception %s does not hold (reference %v)", f, e, wantExc)
			}
		}
	}
	for bits := 0; bits < 1<<len(names); bits += step {
		f := Facts{}
		for i, n := range names {
			f[n] = No
			if bits>>i&1 == 1 {
				f[n] = Yes
			}
		}
		check(f)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 / step {
		f := Facts{}
		for _, n := range names {
			f[n] = Values[r.IntN(3)]
		}
		check(f)
	}
}

// TestDialogTree walks every possible dialog (each question answered yes,
// no or don't know) and checks each step by brute force (checkStep): no
// dialog asks a question whose answer cannot change the verdict, or stops
// early.
func TestDialogTree(t *testing.T) {
	t.Parallel()
	rs := mustDefault(t)
	leaves, longest, steps, exact := 0, 0, 0, 0
	verdicts := map[string]int{}
	// walk returns the most questions any dialog from st still asks, which
	// Remaining must bound.
	var walk func(st []state, depth int) int
	walk = func(st []state, depth int) int {
		o := rs.evaluate(st)
		checkStep(t, rs, st, o)
		if t.Failed() {
			t.FailNow()
		}
		if o.Decided() {
			if o.Remaining != 0 {
				t.Fatalf("verdict %s with %d questions remaining (state %v)", o.Verdict, o.Remaining, st)
			}
			leaves++
			longest = max(longest, depth)
			verdicts[o.Verdict]++
			return 0
		}
		i := rs.factIdx[o.Next]
		if st[i] != sOpen || depth > len(rs.facts) {
			t.Fatalf("asks %s again at depth %d", o.Next, depth)
		}
		most := 0
		for _, v := range []state{sYes, sNo, sUnknown} {
			st[i] = v
			most = max(most, 1+walk(st, depth+1))
		}
		st[i] = sOpen
		if o.Remaining < most {
			t.Fatalf("says at most %d questions remain, but a dialog asks %d more (state %v)", o.Remaining, most, st)
		}
		steps++
		if o.Remaining == most {
			exact++
		}
		return most
	}
	walk(make([]state, len(rs.facts)), 0)
	t.Logf("%d distinct dialogs, longest %d questions, verdicts %v", leaves, longest, verdicts)
	t.Logf("remaining questions: bound reached by some dialog at %d of %d steps", exact, steps)
	for _, code := range rs.VerdictCodes() {
		if verdicts[code] == 0 {
			t.Errorf("no dialog reaches %s", code)
		}
	}
}

func TestParseValue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Value
		ok   bool
	}{
		{"1", Yes, true}, {"Oui", Yes, true}, {" yes ", Yes, true}, {"OUI.", Yes, true},
		{"2", No, true}, {"non", No, true}, {"No", No, true},
		{"3", Unknown, true}, {"Je ne sais pas", Unknown, true}, {"je ne sais pas.", Unknown, true},
		{"I don’t know", Unknown, true}, {"unknown", Unknown, true}, {"aucune idée", Unknown, true},
		{"vrai", Yes, true}, {"Exact!", Yes, true}, {"Tout à fait", Yes, true}, {"pas du tout", No, true},
		{"faux", No, true}, {"?", Unknown, true}, {"Don't know", Unknown, true}, {"jsp", Unknown, true},
		{"", "", false}, {"4", "", false}, {"peut-être", "", false}, {"oui non", "", false},
	}
	for _, tt := range tests {
		got, ok := ParseValue(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseValue(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// CitationSites locates every citation of the embedded rules at the item
// that makes it, and gives the same ids as CitedEntries.
func TestCitationSites(t *testing.T) {
	t.Parallel()
	rs, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	sites := rs.CitationSites()
	var ids []string
	for i, c := range sites {
		if !strings.HasPrefix(c.File, EmbeddedDir+"/") || c.Line <= 0 || c.EntryID == "" {
			t.Errorf("site %+v: want a file of %s, a line and an entry id", c, EmbeddedDir)
		}
		if i > 0 && (sites[i-1].File > c.File || sites[i-1].File == c.File && sites[i-1].Line > c.Line) {
			t.Errorf("sites not sorted by file and line: %+v before %+v", sites[i-1], c)
		}
		ids = append(ids, c.EntryID)
	}
	slices.Sort(ids)
	if got, want := slices.Compact(ids), rs.CitedEntries(); !slices.Equal(got, want) || len(want) == 0 {
		t.Errorf("site ids %v, want the cited entries %v", got, want)
	}
	f, _ := rs.Fact("organisme_public")
	if !slices.Contains(sites, CitationSite{EntryID: "organisations-concernees", File: f.File, Line: f.Line}) {
		t.Errorf("no site for fact organisme_public at %s:%d in %+v", f.File, f.Line, sites)
	}
}

// Cites says what CitedEntries lists, entry by entry.
func TestCites(t *testing.T) {
	t.Parallel()
	rs, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	cited := rs.CitedEntries()
	if len(cited) == 0 {
		t.Fatal("the default rules cite no entry")
	}
	for _, id := range cited {
		if !rs.Cites(id) {
			t.Errorf("Cites(%q) = false; it is in CitedEntries", id)
		}
	}
	for _, id := range []string{"", "no-such-entry", cited[0] + "x", "zzz"} {
		if rs.Cites(id) {
			t.Errorf("Cites(%q) = true; it is not in CitedEntries %v", id, cited)
		}
	}
}
