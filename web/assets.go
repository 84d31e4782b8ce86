package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// voterAssetPaths are the embedded files the voter's page is made of, as paths under web/: the encrypted ballot
// box, the page's scripts and style, and the templates its HTML is rendered from. The order is fixed, so that the
// digest of the list is one value per release.
var voterAssetPaths = []string{
	"static/box.js",
	"static/common.js",
	"static/voter.js",
	"static/style.css",
	"templates/layout.html",
	"templates/codeform.html",
	"templates/voter.html",
}

// VoterAsset is one embedded file of the voter's page and its SHA-256.
type VoterAsset struct {
	Path   string // under web/ in the source tree, e.g. "static/box.js"
	SHA256 [32]byte
}

// VoterAssets returns the SHA-256 of every embedded file of the voter's page, in a fixed order, and the digest of
// that list: SHA-256 of the lines "<hex>  <path>\n" that `sha256sum` prints for the same files, run in web/ of the
// release's source. An inspector compares the digest a server logs with the one computed from the release, and
// the per-file digests name the file that differs; `tinnhiem serve` sets the digest as ballot.Service.VoterAssets,
// which logs it in every SessionOpened, and prints it at start-up.
func VoterAssets() ([]VoterAsset, [32]byte) { return assetDigest(voterAssetPaths) }

// assetDigest hashes the embedded files of one page, as VoterAssets says.
func assetDigest(paths []string) ([]VoterAsset, [32]byte) {
	var list bytes.Buffer
	out := make([]VoterAsset, 0, len(paths))
	for _, path := range paths {
		fsys := templateFS
		if strings.HasPrefix(path, "static/") {
			fsys = staticFS
		}
		data, err := fsys.ReadFile(path)
		if err != nil {
			panic(fmt.Sprintf("web: embedded page asset %s missing: %v", path, err))
		}
		a := VoterAsset{Path: path, SHA256: sha256.Sum256(data)}
		out = append(out, a)
		fmt.Fprintf(&list, "%s  %s\n", hex.EncodeToString(a.SHA256[:]), path)
	}
	return out, sha256.Sum256(list.Bytes())
}
