package index

import (
	"encoding/json"
	"flag"
	"math"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite model.json and the golden decisions")

// TestDefaultModel checks that the model shipped for the official FAQ is
// the one its content trains (go test ./index -run TestDefaultModel -update
// rewrites it after a change of content or training).
func TestDefaultModel(t *testing.T) {
	ix := defaultIndex(t)
	fresh, err := ix.train()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		b, err := json.MarshalIndent(fresh, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("model.json", append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	shipped := embeddedModel()
	if shipped == nil || shipped.Content != fresh.Content {
		t.Fatalf("model.json is stale for this content (run go test ./index -run TestDefaultModel -update)")
	}
	if ix.Model() != shipped {
		t.Error("the index trained again instead of using the shipped model")
	}
	for k := range fresh.Weights {
		if math.Abs(fresh.Weights[k]-shipped.Weights[k]) > 1e-6 {
			t.Errorf("weight %s: trained %v, shipped %v", featureNames[k], fresh.Weights[k], shipped.Weights[k])
		}
	}
	// The same content trains the same model.
	again, err := ix.train()
	if err != nil {
		t.Fatal(err)
	}
	for k := range fresh.Weights {
		if fresh.Weights[k] != again.Weights[k] {
			t.Errorf("training is not deterministic: weight %s %v then %v", featureNames[k], fresh.Weights[k], again.Weights[k])
		}
	}
}
