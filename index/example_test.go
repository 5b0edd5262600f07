package index_test

import (
	"context"
	"fmt"

	"github.com/qc-ia/conformbot/faq"
	"github.com/qc-ia/conformbot/index"
)

func ExampleIndex_Search() {
	kb, err := faq.Default()
	if err != nil {
		panic(err)
	}
	ix, err := index.New(kb, index.Options{}) // default thresholds
	if err != nil {
		panic(err)
	}
	defer ix.Close()
	for _, q := range []string{
		"Est-ce que je peux encore utiliser ChatGPT gratuit?",
		"How long will the freeze last?",
		"Comment réserver une salle de réunion ?",
	} {
		res, _ := ix.Search(context.Background(), q)
		if res.Decision == index.Answer {
			fmt.Println(res.Decision, res.Hits[0].Entry.ID)
		} else {
			fmt.Println(res.Decision)
		}
	}
	// Output:
	// answer version-web-copilot-chatgpt
	// answer duree-suspension
	// fallback
}

func ExampleIndex_Terms() {
	kb, _ := faq.Default()
	ix, _ := index.New(kb, index.Options{})
	defer ix.Close()
	// Accents folded, "chatbot" read as "assistant virtuel", stop words dropped.
	fmt.Println(ix.Terms("C'est quoi un chatbot à l'IA générative ?"))
	// Output: [defin asistant virtuel iag]
}
