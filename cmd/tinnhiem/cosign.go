package main

import (
	"fmt"
	"os"
	"strings"

	"tinnhiem/audit"
	"tinnhiem/ballot"
	"tinnhiem/cmd/internal/cli"
)

func init() {
	register(command{"cosign add", "cosign add --db FILE --session ID --cosigner PUBKEY COSIGNED-CHECKPOINT", cmdCosignAdd})
}

// cmdCosignAdd records an inspector's cosignature of a checkpoint in the
// log, after checking, in the same transaction, that the server signed the
// checkpoint, that it names this session's log as it stands, and that the
// inspector's signature verifies under the key they gave.
func cmdCosignAdd(e *env, args []string) error {
	f := newFlags("cosign add", true, true)
	cosigner := f.String("cosigner", "", "the inspector's verifier key (printed by tinnhiem-verify keygen), or a `FILE` holding it")
	return withService(f, args, func(svc *ballot.Service, pos []string) error {
		if len(pos) != 1 {
			return cli.Usagef("name one cosigned checkpoint file")
		}
		if *cosigner == "" {
			return cli.Usagef("--cosigner PUBKEY is required: the inspector's verifier key")
		}
		vkey := strings.TrimSpace(*cosigner)
		if b, err := os.ReadFile(vkey); err == nil {
			vkey = strings.TrimSpace(string(b))
		}
		msg, err := os.ReadFile(pos[0])
		if err != nil {
			return fmt.Errorf("failed to read the cosigned checkpoint: %w", err)
		}
		data, err := svc.AddCosignature(e.ctx, cliActor(), *f.session, msg, vkey)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Đã ghi chữ ký đồng xác nhận / recorded the cosignature of %s (%s) on checkpoint %d\n",
			data.Name, audit.Fingerprint(vkey), data.Size)
		return nil
	})
}
