package rules_test

import (
	"fmt"

	"github.com/qc-ia/conformbot/rules"
)

// The dialog: evaluate the answers so far, ask Next, repeat until a verdict.
func ExampleRuleSet_Evaluate() {
	rs, err := rules.Default()
	if err != nil {
		panic(err)
	}
	facts := rules.Facts{}
	answers := map[string]rules.Value{
		"organisme_public": rules.Yes, "assistant_iag": rules.Yes,
		"usage_individuel_gratuit": rules.No, "experimentation_mcn": rules.Yes,
	}
	for {
		o := rs.Evaluate(facts)
		if o.Verdict != "" {
			fmt.Println("verdict:", o.Verdict, o.Exceptions, o.Citations)
			return
		}
		fmt.Println("ask:", o.Next)
		facts[o.Next] = answers[o.Next]
	}
	// Output:
	// ask: organisme_public
	// ask: assistant_iag
	// ask: usage_individuel_gratuit
	// ask: experimentation_mcn
	// verdict: exception [experimentation-mcn] [exceptions]
}

// An unknown answer that blocks every way forward gives the fallback
// verdict with the facts to verify.
func ExampleRuleSet_Evaluate_unknown() {
	rs, _ := rules.Default()
	o := rs.Evaluate(rules.Facts{"organisme_public": rules.Unknown, "assistant_iag": rules.Yes})
	fmt.Println(o.Verdict, o.ToVerify, o.Possible)
	// Output:
	// indetermine [organisme_public] [hors-portee usage-individuel usage-individuel-non-permis exception suspendu]
}

// A verdict comes as parts: a headline, a one-sentence conclusion, the
// answers it rests on, and the reasons.
func ExampleRuleSet_Explain() {
	rs, _ := rules.Default()
	facts := rules.Facts{"organisme_public": rules.Yes, "assistant_iag": rules.No}
	o := rs.Evaluate(facts)
	fmt.Println(rs.VerdictTitle(o.Verdict, "en"), "·", rs.VerdictTone(o.Verdict))
	fmt.Println(rs.Conclude(o, facts, "en"))
	fmt.Println(rs.Support(o, facts))
	fmt.Println(rs.Explain(o, facts, "en"))
	// Output:
	// Outside the scope of the suspension · positive
	// The suspension does not apply to your situation.
	// [assistant_iag]
	// Directive IA-RI-2025-001-OP targets generative-AI virtual assistants of the public bodies covered by section 2 of the LGGRI (FAQ: "Is my organization concerned?" and "What is a virtual assistant based on generative AI?").
}

func ExampleParseValue() {
	for _, s := range []string{"Oui", "2", "Je ne sais pas", "peut-être"} {
		v, ok := rules.ParseValue(s)
		fmt.Printf("%q → %q %v\n", s, v, ok)
	}
	// Output:
	// "Oui" → "yes" true
	// "2" → "no" true
	// "Je ne sais pas" → "unknown" true
	// "peut-être" → "" false
}
