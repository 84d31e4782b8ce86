package ballot_test

import (
	"context"
	"crypto/rand"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"tinnhiem/audit"
	"tinnhiem/ballot"
	"tinnhiem/ballot/sqlite"
)

func TestPasswordHash(t *testing.T) {
	h, err := ballot.HashPassword(rand.Reader, "mật khẩu đủ dài")
	if err != nil {
		t.Fatalf("HashPassword: %v", err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash = %q, want a PHC argon2id string with its parameters", h)
	}
	h2, _ := ballot.HashPassword(rand.Reader, "mật khẩu đủ dài")
	if h == h2 {
		t.Errorf("two hashes of one password are equal: the salt is not random")
	}
	parts := strings.Split(h, "$")
	tests := []struct {
		name, stored, password string
		want                   bool
	}{
		{"right", h, "mật khẩu đủ dài", true},
		{"wrong", h, "mật khẩu đủ dàI", false},
		{"empty", h, "", false},
		{"other algorithm", strings.Replace(h, "argon2id", "argon2i", 1), "mật khẩu đủ dài", false},
		{"huge memory", strings.Join(append(parts[:3:3], "m=4194304,t=2,p=1", parts[4], parts[5]), "$"), "mật khẩu đủ dài", false},
		{"truncated", h[:len(h)-10], "mật khẩu đủ dài", false},
		{"garbage", "$argon2id$", "x", false},
	}
	for _, tt := range tests {
		if got := ballot.CheckPassword(tt.stored, tt.password); got != tt.want {
			t.Errorf("%s: CheckPassword = %v, want %v", tt.name, got, tt.want)
		}
	}
	if _, err := ballot.HashPassword(rand.Reader, "ngắn"); ballot.ErrorCode(err) != ballot.EInvalid {
		t.Errorf("HashPassword(short) error = %v, want EInvalid", err)
	}
}

func newAccountService(t *testing.T) *ballot.Service {
	t.Helper()
	store, err := sqlite.Open(filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	key, err := audit.GenerateKey(rand.Reader, "test")
	if err != nil {
		t.Fatal(err)
	}
	return ballot.NewService(store, key, nil, nil)
}

// TestAccountsScopes creates two organisations with a session each and
// checks what each role may do with each session, through the service.
func TestAccountsScopes(t *testing.T) {
	ctx := context.Background()
	svc := newAccountService(t)
	for _, o := range []string{"Chi bộ A", "Chi bộ B"} {
		if _, err := svc.AddOrg(ctx, o); err != nil {
			t.Fatalf("AddOrg(%s): %v", o, err)
		}
	}
	if _, err := svc.AddOrg(ctx, " Chi  bộ A "); ballot.ErrorCode(err) != ballot.EConflict {
		t.Errorf("AddOrg(same name, other spacing) error = %v, want a conflict", err)
	}
	newSess := func(org string) *ballot.Session {
		s, err := svc.CreateSessionIn(ctx, "lan", ballot.NewSession{Org: org, Title: "T", Body: "B", Date: "2026-01-02", Place: "P"})
		if err != nil {
			t.Fatalf("CreateSessionIn(%s): %v", org, err)
		}
		return s
	}
	a, b := newSess("Chi bộ A"), newSess("Chi bộ B")
	if _, err := svc.CreateSessionIn(ctx, "lan", ballot.NewSession{Org: "Chi bộ Ma", Title: "T", Body: "B", Date: "2026-01-02", Place: "P"}); ballot.ErrorCode(err) != ballot.ENotFound {
		t.Errorf("CreateSessionIn(unknown org) error = %v, want not found", err)
	}
	const pw = "mot-mat-khau-dai"
	add := func(in ballot.NewAccount) *ballot.Account {
		in.Password = pw
		acct, err := svc.AddAccount(ctx, in)
		if err != nil {
			t.Fatalf("AddAccount(%s): %v", in.Name, err)
		}
		return acct
	}
	admin := add(ballot.NewAccount{Name: "root", Role: ballot.RoleAdmin})
	orgA := add(ballot.NewAccount{Name: "lan", Role: ballot.RoleOrganiser, Orgs: []string{"Chi bộ A"}})
	insB := add(ballot.NewAccount{Name: "kiem-tra", Role: ballot.RoleInspector, Sessions: []string{b.ID}})

	tests := []struct {
		acct                *ballot.Account
		sess                *ballot.Session
		read, write, cosign bool
	}{
		{admin, a, false, false, false},
		{orgA, a, true, true, true},
		{orgA, b, false, false, false},
		{insB, a, false, false, false},
		{insB, b, true, false, true},
	}
	for _, tt := range tests {
		if got := [3]bool{tt.acct.CanRead(tt.sess), tt.acct.CanWrite(tt.sess), tt.acct.CanCosign(tt.sess)}; got != [3]bool{tt.read, tt.write, tt.cosign} {
			t.Errorf("%s on %s: read, write, cosign = %v, want %v", tt.acct.Name, tt.sess.Org, got, [3]bool{tt.read, tt.write, tt.cosign})
		}
	}
	if !admin.CanManageAccounts() || orgA.CanManageAccounts() || insB.CanManageAccounts() {
		t.Errorf("only the administrator may manage accounts")
	}
	list, err := svc.SessionsFor(ctx, orgA)
	if err != nil || len(list) != 1 || list[0].ID != a.ID {
		t.Errorf("SessionsFor(organiser of A) = %+v, %v; want only %s", list, err, a.ID)
	}

	got, err := svc.Authenticate(ctx, "lan", pw)
	if err != nil || got.Name != "lan" {
		t.Errorf("Authenticate(right password) = %+v, %v", got, err)
	}
	for _, tt := range [][2]string{{"lan", pw + "x"}, {"nobody", pw}, {"", ""}} {
		if _, err := svc.Authenticate(ctx, tt[0], tt[1]); !errors.Is(err, ballot.ErrLogin) {
			t.Errorf("Authenticate(%q, …) error = %v, want ErrLogin", tt[0], err)
		}
	}

	bad := []ballot.NewAccount{
		{Name: "Lan", Role: ballot.RoleAdmin, Password: pw},
		{Name: "cli:lan", Role: ballot.RoleAdmin, Password: pw},
		{Name: "x2", Role: "boss", Password: pw},
		{Name: "x3", Role: ballot.RoleOrganiser, Password: pw},
		{Name: "x4", Role: ballot.RoleOrganiser, Password: pw, Orgs: []string{"Chi bộ Ma"}},
		{Name: "x5", Role: ballot.RoleInspector, Password: pw, Sessions: []string{"nope-nope"}},
		{Name: "x6", Role: ballot.RoleAdmin, Password: pw, Orgs: []string{"Chi bộ A"}},
		{Name: "x7", Role: ballot.RoleAdmin, Password: "short"},
		{Name: "lan", Role: ballot.RoleAdmin, Password: pw},
	}
	for _, in := range bad {
		if _, err := svc.AddAccount(ctx, in); err == nil {
			t.Errorf("AddAccount(%+v) succeeded, want an error", in)
		}
	}
	all, err := svc.Accounts(ctx)
	if err != nil || len(all) != 3 {
		t.Errorf("Accounts() = %d accounts, %v; want the 3 valid ones and nothing from refused requests", len(all), err)
	}
}
