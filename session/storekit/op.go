package storekit

import "github.com/sessiongen/sessiongen/session/internal/storeop"

// Operation names: each is its session.Store or session.Leaser method's name
// (OpLoad is "Load"). Stores pass them to Run, Exec and the Check functions;
// the manager reports the same names to session.Metrics.StoreCall.
const (
	OpCreate        = storeop.Create
	OpLoad          = storeop.Load
	OpSave          = storeop.Save
	OpTouch         = storeop.Touch
	OpRotate        = storeop.Rotate
	OpDelete        = storeop.Delete
	OpDeleteOwner   = storeop.DeleteOwner
	OpDeleteOwned   = storeop.DeleteOwned
	OpTrimOwner     = storeop.TrimOwner
	OpListOwner     = storeop.ListOwner
	OpList          = storeop.List
	OpCount         = storeop.Count
	OpDeleteExpired = storeop.DeleteExpired
	OpAcquireLease  = storeop.AcquireLease
	OpReleaseLease  = storeop.ReleaseLease
)
