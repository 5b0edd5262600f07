package index

// KnownTerms exposes knownTerms to the external tests.
var KnownTerms = (*Index).knownTerms
