// Package storeop names the Store operations once, for the manager's metrics
// (session) and for store errors (session/storekit, which re-exports them), so
// that a latency series and an error message name an operation the same way.
package storeop

// The names are the session.Store and session.Leaser method names.
const (
	Create        = "Create"
	Load          = "Load"
	Save          = "Save"
	Touch         = "Touch"
	Rotate        = "Rotate"
	Delete        = "Delete"
	DeleteOwner   = "DeleteOwner"
	DeleteOwned   = "DeleteOwned"
	TrimOwner     = "TrimOwner"
	ListOwner     = "ListOwner"
	List          = "List"
	Count         = "Count"
	DeleteExpired = "DeleteExpired"
	AcquireLease  = "AcquireLease"
	ReleaseLease  = "ReleaseLease"
)
