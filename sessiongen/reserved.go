package sessiongen

// reservedAccessors are the methods that *session.Session has or will have: a
// generated accessor of the same name on the typed session handle would shadow
// the promoted method. This list is the one place that knows them.
var reservedAccessors = map[string]bool{
	"Value": true, "Changed": true, "Commit": true, "Update": true, "Rotate": true,
	"Destroy": true, "Token": true, "Key": true, "Owner": true, "IsNew": true,
	"Err": true, "RevokeOthers": true, "RevokeAll": true, "RevokeDevice": true, "Devices": true,
	"Manager": true, "Session": true, "Cookie": true, "Ended": true, "RefreshToken": true, "RememberMe": true,
}

// reservedMethods are the methods generated on the session struct itself: a
// field of the same name would not compile.
var reservedMethods = map[string]bool{
	"EncodeMsgpack": true, "DecodeMsgpack": true, "AppendSession": true,
	"DecodeSession": true, "DiffSession": true, "MergeSession": true,
	"SessionMergePolicy": true, "SessionOwner": true, "SessionKeys": true,
}

// reservedImports are the packages the generated code imports itself, by the
// name the templates use: a user package with one of these names is imported
// under another name, and a package that declares one of these names itself
// gets the generated import renamed (renameImports).
var reservedImports = map[string]string{
	"context": "context",
	"session": "github.com/sessiongen/sessiongen/session",
	"wire":    "github.com/sessiongen/sessiongen/wire",
	"msgpack": msgpackPath,
}
