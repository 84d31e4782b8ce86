package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"tinnhiem/audit"
)

// TestConsoleOfficersAndCheckout creates a session in a People's Council's
// form from the console, names its officers, and records a member leaving
// during the vote: each lands in the audit log, and what is refused changes
// nothing.
func TestConsoleOfficersAndCheckout(t *testing.T) {
	ctx := context.Background()
	f := newConsoleFixture(t, Options{})
	b := f.browser().mustLogin("tochuc-a")
	res, _ := b.do("POST", "/admin/sessions", url.Values{"csrf": {b.csrf}, "org": {testOrgA}, "title": {"Kỳ họp thứ tám"},
		"body": {"Hội đồng nhân dân tỉnh Bắc Ninh"}, "date": {"2026-12-09"}, "place": {"Hội trường"}, "rules": {"nq96"},
		"body_kind": {"hdnd"}, "number": {"07/BB-HĐND"}, "locality": {"Bắc Ninh"}, "copies": {"3"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create = %d", res.StatusCode)
	}
	base := strings.TrimSuffix(strings.SplitN(res.Header.Get("Location"), "?", 2)[0], "/")
	id := base[strings.LastIndex(base, "/")+1:]
	entries, _, err := f.svc.Log(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var created audit.SessionCreatedData
	if err := json.Unmarshal(entries[0].Data, &created); err != nil {
		t.Fatal(err)
	}
	if created.BodyKind != "hdnd" || created.Number != "07/BB-HĐND" || created.Locality != "Bắc Ninh" || created.Copies != 3 {
		t.Errorf("SessionCreated = %+v, want the body kind, number, locality and copies given", created)
	}
	if res, _ := b.do("POST", "/admin/sessions", url.Values{"csrf": {b.csrf}, "org": {testOrgA}, "title": {"T"}, "body": {"B"},
		"date": {"2026-12-09"}, "place": {"P"}, "copies": {"ba"}}); res.StatusCode != http.StatusBadRequest {
		t.Errorf("create with copies \"ba\" = %d, want 400", res.StatusCode)
	}

	roster := "Họ và tên,Chức vụ\nNguyễn Văn An,Đại biểu\nTrần Thị Bình,Đại biểu\nLê Văn Cường,Đại biểu\n"
	for _, up := range []struct{ path, csv string }{{"/roster", roster}, {"/cadres", "Họ và tên,Chức vụ\nPhạm Văn Dũng,Chủ tịch\n"}} {
		_, page := b.upload(base+up.path, up.csv)
		pending := strings.SplitN(strings.SplitN(page, `name="pending" value="`, 2)[1], `"`, 2)[0]
		b.do("POST", base+"/import", url.Values{"csrf": {b.csrf}, "pending": {pending}})
	}
	if res, _ := b.do("POST", base+"/committee", url.Values{"csrf": {b.csrf}, "members": {"Nguyễn Văn An\nLê Văn Cường"},
		"head": {"Người Lạ"}}); res.StatusCode != http.StatusBadRequest {
		t.Errorf("a head outside the committee = %d, want 400", res.StatusCode)
	}
	if res, _ := b.do("POST", base+"/committee", url.Values{"csrf": {b.csrf}, "members": {"Nguyễn Văn An\nLê Văn Cường"},
		"head": {"Lê Văn Cường"}, "chair": {"Trần Thị Bình"}, "secretary": {"Nguyễn Văn An"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("committee = %d", res.StatusCode)
	}
	if _, page := b.do("GET", base, nil); !strings.Contains(page, `name="head" value="Lê Văn Cường"`) || !strings.Contains(page, `name="chair" value="Trần Thị Bình"`) {
		t.Errorf("the session page does not show the head and chair saved")
	}
	b.do("POST", base+"/checkin", url.Values{"csrf": {b.csrf}, "member": {"Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"}})
	b.do("POST", base+"/cards", url.Values{"csrf": {b.csrf}, "count": {"3"}})
	if res, _ := b.do("POST", base+"/open", url.Values{"csrf": {b.csrf}, "confirm": {"yes"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("open = %d", res.StatusCode)
	}
	if _, page := b.do("GET", base+"/checkin", nil); !strings.Contains(page, `id="checkout-form"`) || !strings.Contains(page, `id="leaving-1"`) {
		t.Fatalf("the check-in page offers no departure for the members present:\n%s", page)
	}
	if res, _ := b.do("POST", base+"/checkout", url.Values{"csrf": {b.csrf}, "member": {"Trần Thị Bình"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("checkout = %d", res.StatusCode)
	}
	if res, _ := b.do("POST", base+"/checkout", url.Values{"csrf": {b.csrf}, "member": {"Trần Thị Bình"}}); res.StatusCode != http.StatusBadRequest {
		t.Errorf("checking out a member who left already = %d, want 400", res.StatusCode)
	}
	if res, _ := b.do("POST", base+"/checkout", url.Values{"csrf": {b.csrf}}); res.StatusCode != http.StatusBadRequest {
		t.Errorf("checkout of nobody = %d, want 400", res.StatusCode)
	}
	other := f.browser().mustLogin("tochuc-b")
	if res, _ := other.do("POST", base+"/checkout", url.Values{"csrf": {other.csrf}, "member": {"Nguyễn Văn An"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("another organisation's checkout = %d, want 403", res.StatusCode)
	}
	if a, _ := f.svc.Attendance(ctx, id); a.Present != 2 {
		t.Errorf("present after one departure: %d, want 2", a.Present)
	}
	entries, _, _ = f.svc.Log(ctx, id)
	var outs []audit.CheckedInData
	for _, e := range entries {
		if e.Type == audit.CheckedOut {
			var d audit.CheckedInData
			if err := json.Unmarshal(e.Data, &d); err != nil {
				t.Fatal(err)
			}
			outs = append(outs, d)
		}
	}
	if len(outs) != 1 || outs[0].Members[0] != "Trần Thị Bình" || outs[0].Present != 2 || outs[0].Summoned != 3 {
		t.Errorf("CheckedOut entries = %+v, want one for Trần Thị Bình, 2 of 3 present", outs)
	}
}
