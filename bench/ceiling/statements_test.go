package main

import (
	"reflect"
	"strings"
	"testing"

	"github.com/sessiongen/sessiongen/gen/pgdb"
)

// The pgbench scripts are built from the statements gen/pgdb sends: every
// parameter must map to a pgbench expression, and the rest of the text must
// be the generated statement's.
func TestPgbenchScriptsRunTheGeneratedStatements(t *testing.T) {
	for name, sql := range map[string]string{"load": loadSQL, "save": saveSQL} {
		if !strings.Contains(sql, "sessiongen_sessions") || strings.HasPrefix(sql, "--") {
			t.Errorf("%s statement not recorded from gen/pgdb: %q", name, sql)
		}
	}
	load, err := loadScript(1000)
	if err != nil {
		t.Fatal(err)
	}
	save, err := saveScript(1000, 8)
	if err != nil {
		t.Fatal(err)
	}
	for name, script := range map[string]string{"load": load, "save": save} {
		if placeholder.MatchString(script) {
			t.Errorf("%s script still has a $n parameter:\n%s", name, script)
		}
		if !strings.Contains(script, keySQL) {
			t.Errorf("%s script does not build the key with keySQL:\n%s", name, script)
		}
	}
	for _, v := range []string{":now", ":data", ":remember", ":idle", ":v"} {
		if !strings.Contains(save, v+"::") {
			t.Errorf("save script does not pass %s as a parameter:\n%s", v, save)
		}
	}
	// A parameter without an expression is an error, not a silent gap.
	if _, err := pgbenchStatement(saveSQL, reflect.TypeFor[pgdb.SaveSessionParams](), map[string]string{"Key": "k"}); err == nil {
		t.Error("pgbenchStatement accepted a statement with unmapped parameters")
	}
}
