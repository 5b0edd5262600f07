package memstore_test

import (
	"testing"
	"time"

	"github.com/qc-ia/conformbot/store"
	"github.com/qc-ia/conformbot/store/memstore"
	"github.com/qc-ia/conformbot/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T, now func() time.Time) store.Store {
		s := memstore.New()
		s.Now = now
		return s
	})
}
