// Package cosign records an inspector's cosignature of a signed checkpoint
// in a session's audit log. The command line and the console both call it,
// so that the same checks guard the log whichever way a cosignature comes.
package cosign

import (
	"context"
	"strings"

	"tinnhiem/audit"
	"tinnhiem/ballot"
	"tinnhiem/verify"
)

// Add records the cosigned checkpoint msg, signed by the inspector whose
// note verifier key is cosignerKey, as a CosignatureAdded entry by actor.
// In the same transaction it checks that the server signed the checkpoint,
// that the checkpoint names this session's log as it stands, that the
// inspector's signature verifies, and that the same inspector has not
// cosigned the same checkpoint already; a refused cosignature changes
// nothing.
func Add(ctx context.Context, svc *ballot.Service, actor, session string, msg []byte, cosignerKey string) (audit.CosignatureData, error) {
	vkey := strings.TrimSpace(cosignerKey)
	var data audit.CosignatureData
	check := func(sess *ballot.Session, tx ballot.Tx) error {
		entries, err := tx.AuditEntries(sess.ID, 1, 0)
		if err != nil {
			return err
		}
		c, v, err := verify.CheckCosignature(msg, vkey, svc.Key().Verifier(), entries)
		if err != nil {
			return &ballot.Error{Code: ballot.EInvalid, Key: "cosign_invalid",
				Message:    "the cosigned checkpoint cannot be recorded: " + err.Error(),
				Vietnamese: "Không ghi được chữ ký đồng xác nhận: điểm kiểm tra hoặc chữ ký không hợp lệ với nhật ký của phiên này."}
		}
		for i := range entries {
			var d audit.CosignatureData
			if entries[i].Type == audit.CosignatureAdded && entries[i].Decode(&d) == nil && d.Key == vkey && d.Size == c.Size {
				return &ballot.Error{Code: ballot.EConflict, Key: "cosign_duplicate",
					Message:    "this inspector's cosignature of this checkpoint is recorded already",
					Vietnamese: "Chữ ký đồng xác nhận này của thanh tra viên đã được ghi trước đó."}
			}
		}
		data = audit.CosignatureData{Name: v.Name(), Key: vkey, Size: c.Size, Note: string(msg)}
		return nil
	}
	// The payload is filled in by check, inside the transaction.
	if err := svc.Record(ctx, actor, session, audit.CosignatureAdded, &data, check); err != nil {
		return audit.CosignatureData{}, err
	}
	return data, nil
}
