package audit

import "strings"

// readmeHeader is the first line of README-vi-en.txt.
const readmeHeader = "tinnhiem bundle README v1"

// bundleReadme returns the inspectors' guide written into every bundle,
// Vietnamese first, then English. It names only tools an inspector can get
// without tinnhiem's server: tinnhiem-verify, sha256sum, signify, openssl.
func bundleReadme(session, fingerprint string) []byte {
	r := strings.NewReplacer("{SESSION}", session, "{FP}", fingerprint)
	return []byte(r.Replace(readmeText))
}

const readmeText = readmeHeader + `

HỒ SƠ KIỂM TRA — PHIÊN LẤY PHIẾU TÍN NHIỆM {SESSION}
=====================================================

Hồ sơ này chứa toàn bộ nhật ký kiểm toán của phiên bỏ phiếu, các điểm kiểm tra có
chữ ký, khóa công khai của máy chủ và các văn bản đã ban hành (biên bản, kết quả)
kèm chữ ký số tách rời. Có thể kiểm tra hồ sơ trên máy tính riêng, không cần mạng
và không cần tin vào máy chủ.

Dấu vân tay khóa (so với dấu vân tay in trên biên bản kiểm phiếu):
    {FP}

Nội dung
  BUNDLE.txt          danh mục: phiên, khóa, SHA-256 của từng tệp
  log.jsonl           nhật ký kiểm toán, mỗi dòng một mục (SPEC.md mục 4.4)
  checkpoints/*.note  các điểm kiểm tra có chữ ký (SPEC.md mục 5)
  keys/               khóa công khai: tinnhiem.vkey (khóa xác minh note),
                      tinnhiem.pub (signify), tinnhiem.pem (openssl), FINGERPRINT
  documents/          các văn bản đã ban hành, mỗi tệp kèm chữ ký .sig (signify)

Kiểm tra bằng tinnhiem-verify (một tệp chạy, không cần cài đặt):
    tinnhiem-verify --key KHÓA-CÔNG-KHAI-ĐÃ-BIẾT HỒ-SƠ
  KHÓA-CÔNG-KHAI-ĐÃ-BIẾT là khóa mà ban tổ chức công bố trước (chuỗi tinnhiem+…
  hoặc tệp .pub). Không có --key, chương trình dùng khóa trong hồ sơ và in dấu vân
  tay để so với biên bản giấy. Mỗi phép kiểm tra in một dòng ✓ hoặc ✗; mã thoát 0
  nghĩa là mọi phép kiểm tra đều đạt.
  Cử tri kiểm tra phiếu của mình đã được tính:
    tinnhiem-verify receipt --receipt TN1-XXXX-… HỒ-SƠ
  Hồ sơ sao lúc đóng phiên là phần đầu của hồ sơ cuối cùng:
    tinnhiem-verify extends HỒ-SƠ-CŨ HỒ-SƠ-MỚI

Kiểm tra bằng công cụ thông dụng:
  1. Tệp không bị thay đổi so với danh mục:
       sed '1,/^$/d' BUNDLE.txt | sha256sum -c
  2. Chữ ký của một văn bản:
       signify-openbsd -V -p keys/tinnhiem.pub -x documents/TỆP.sig -m documents/TỆP
     hoặc với openssl:
       tail -n 1 documents/TỆP.sig | base64 -d | tail -c 64 > chu-ky.bin
       openssl pkeyutl -verify -pubin -inkey keys/tinnhiem.pem -rawin \
           -in documents/TỆP -sigfile chu-ky.bin
  3. Chuỗi băm của nhật ký và chữ ký điểm kiểm tra: theo SPEC.md mục 4, 5 và 9.


VERIFICATION BUNDLE — CONFIDENCE VOTE SESSION {SESSION}
=======================================================

This bundle holds the whole audit log of the vote session, its signed checkpoints,
the server's public key and the issued documents (minutes, results) with detached
signatures. It can be checked on your own computer, offline, without trusting the
server.

Key fingerprint (compare with the one printed on the counting minutes):
    {FP}

Contents
  BUNDLE.txt          manifest: session, key, SHA-256 of every file
  log.jsonl           the audit log, one entry per line (SPEC.md section 4.4)
  checkpoints/*.note  signed checkpoints (SPEC.md section 5)
  keys/               public key: tinnhiem.vkey (note verifier key),
                      tinnhiem.pub (signify), tinnhiem.pem (openssl), FINGERPRINT
  documents/          issued documents, each with a .sig signature (signify)

Check with tinnhiem-verify (a single executable, nothing to install):
    tinnhiem-verify --key KNOWN-PUBLIC-KEY BUNDLE
  KNOWN-PUBLIC-KEY is the key the organisers published beforehand (a tinnhiem+…
  string or a .pub file). Without --key the program uses the bundle's own key and
  prints its fingerprint to compare with the printed minutes. Every check prints
  one line, ✓ or ✗; exit status 0 means every check holds.
  A voter checks that their ballot was counted:
    tinnhiem-verify receipt --receipt TN1-XXXX-… BUNDLE
  A bundle copied at close is a prefix of the final one:
    tinnhiem-verify extends OLD-BUNDLE NEW-BUNDLE

Check with standard tools:
  1. No file differs from the manifest:
       sed '1,/^$/d' BUNDLE.txt | sha256sum -c
  2. A document's signature:
       signify-openbsd -V -p keys/tinnhiem.pub -x documents/FILE.sig -m documents/FILE
     or with openssl:
       tail -n 1 documents/FILE.sig | base64 -d | tail -c 64 > sig.bin
       openssl pkeyutl -verify -pubin -inkey keys/tinnhiem.pem -rawin \
           -in documents/FILE -sigfile sig.bin
  3. The log's hash chain and the checkpoint signatures: see SPEC.md sections 4, 5 and 9.
`
