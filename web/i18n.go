package web

// text is one sentence or label in both languages of the interface.
// Vietnamese comes first everywhere: it is the default, and the terms follow
// the glossary of DOMAIN.md.
type text struct{ vi, en string }

// texts is the one catalogue of the interface. Pages are rendered in
// Vietnamese from it and carry all of it to the browser (see catalog), so
// the language switch works without another request; API errors take their
// sentences from the "error." keys. Placeholders in braces ({n}) are filled
// in by the page's script.
var texts = map[string]text{
	"app.name":         {"Lấy phiếu tín nhiệm", "Confidence vote"},
	"lang.switch":      {"English", "Tiếng Việt"},
	"lang.switch.aria": {"English — chuyển sang tiếng Anh", "Tiếng Việt — switch to Vietnamese"}, // starts with the button's visible text, so a voice command naming it works
	"noscript":         {"Trang này cần JavaScript để bỏ phiếu. Hãy bật JavaScript hoặc dùng trình duyệt khác trên điện thoại.", "This page needs JavaScript to vote. Turn JavaScript on or use another browser on your phone."},

	"voter.title":   {"Phiếu tín nhiệm", "Ballot"},
	"voter.loading": {"Đang tải phiếu…", "Loading the ballot…"},

	"code.heading": {"Nhập mã phiếu", "Enter the card code"},
	"code.help": {"Mã phiếu gồm 32 chữ cái và chữ số, in dưới mã QR trên thẻ bỏ phiếu. Không phân biệt chữ hoa, chữ thường; dấu gạch ngang và khoảng trắng không quan trọng.",
		"The card code is the 32 letters and digits printed under the QR code on your voting card. Upper or lower case, dashes and spaces do not matter."},
	"code.label":  {"Mã phiếu", "Card code"},
	"code.submit": {"Mở phiếu", "Open the ballot"},
	"code.invalid": {"Mã phiếu phải gồm đúng 32 ký tự: chữ cái A–Z và chữ số 2–7. Hãy kiểm tra lại mã in trên thẻ bỏ phiếu.",
		"A card code has exactly 32 characters: letters A–Z and digits 2–7. Check the code printed on your voting card."},

	"entry.title": {"Mã phiếu (nhập tay)", "Card code (manual entry)"},
	"entry.intro": {"Nếu điện thoại không quét được mã QR, hãy nhập mã phiếu in trên thẻ bỏ phiếu.",
		"If your phone cannot scan the QR code, type the card code printed on your voting card."},
	"entry.address": {"Địa chỉ trang bỏ phiếu:", "Address of the voting page:"},
	"entry.private": {"Mã phiếu chỉ được giữ trên điện thoại của bạn và được xóa sau khi gửi phiếu.",
		"The card code stays on your phone only and is erased once the ballot is sent."},

	"ballot.date":  {"Ngày", "Date"},
	"ballot.place": {"Địa điểm", "Place"},
	"ballot.intro": {"Với mỗi người được lấy phiếu tín nhiệm, hãy chọn một trong ba mức. Dòng để trống được tính là phiếu không hợp lệ đối với người đó.",
		"For each cadre being rated, choose one of the three levels. A line left blank counts as an invalid ballot for that cadre."},
	"ballot.intro.formal": {"Với mỗi người được bỏ phiếu tín nhiệm, hãy chọn “Tín nhiệm” hoặc “Không tín nhiệm”. Dòng để trống được tính là phiếu không hợp lệ đối với người đó.",
		"For each cadre put to the formal vote, choose “Confidence” or “No confidence”. A line left blank counts as an invalid ballot for that cadre."},
	"ballot.clear":    {"Bỏ chọn", "Clear"},
	"ballot.progress": {"Đã chọn cho {done}/{total} người.", "Marked {done} of {total}."},
	"ballot.submit":   {"Gửi phiếu", "Submit ballot"},
	"ballot.sending":  {"Đang gửi phiếu…", "Sending the ballot…"},
	"ballot.encrypting": {"Đang mã hóa phiếu… Phiếu được mã hóa ngay trên điện thoại của bạn trước khi gửi.",
		"Encrypting the ballot… It is encrypted on your phone before it is sent."},

	"confirm.unmarked.title": {"Còn người chưa được chọn", "Some lines are not marked"},
	"confirm.unmarked.text": {"Bạn chưa chọn cho {n} người: {names}. Dòng để trống được tính là phiếu không hợp lệ đối với người đó; phiếu của bạn vẫn được tính cho những người khác. Bạn vẫn muốn gửi?",
		"You have not marked {n} of the cadres: {names}. A line left blank counts as an invalid ballot for that cadre; your ballot still counts for the others. Send anyway?"},
	"confirm.unmarked.yes": {"Vẫn gửi", "Send anyway"},
	"confirm.unmarked.no":  {"Quay lại chọn tiếp", "Go back and mark"},
	"confirm.final.title":  {"Gửi phiếu?", "Submit the ballot?"},
	"confirm.final.text": {"Sau khi gửi, phiếu không thể sửa đổi hay gửi lại. Hãy kiểm tra lựa chọn của bạn trước khi gửi.",
		"Once sent, a ballot cannot be changed or sent again. Check your choices before sending."},
	"confirm.final.yes": {"Gửi phiếu", "Submit ballot"},
	"confirm.final.no":  {"Quay lại", "Go back"},

	"review.heading": {"Phiếu đã được mã hóa, chưa gửi", "Your ballot is encrypted, not sent yet"},
	"review.label":   {"Mã xác nhận của phiếu này", "This ballot's receipt"},
	"review.text": {"Điện thoại đã mã hóa lựa chọn của bạn. Bạn có thể gửi phiếu ngay, hoặc kiểm tra mã hóa trước: điện thoại sẽ tiết lộ cách nó đã mã hóa phiếu này để một công cụ độc lập giải mã lại đúng lựa chọn của bạn; phiếu đã kiểm tra sẽ bị hủy, không bao giờ được gửi, và điện thoại mã hóa lại phiếu mới.",
		"Your phone has encrypted your choices. You may send the ballot now, or check the encryption first: the phone reveals how it encrypted this ballot so that an independent tool decrypts it back to your choices; a checked ballot is discarded, never sent, and the phone encrypts a new one."},
	"review.send":  {"Gửi phiếu", "Send the ballot"},
	"review.audit": {"Kiểm tra mã hóa", "Check the encryption"},
	"review.back":  {"Quay lại sửa phiếu", "Go back and change"},

	"audit.heading": {"Kiểm tra mã hóa", "Check of the encryption"},
	"audit.text": {"Phiếu có mã xác nhận dưới đây sẽ không được gửi. Tệp kiểm tra chứa phiếu đã mã hóa và độ ngẫu nhiên dùng để mã hóa (không chứa mã thẻ của bạn). Hãy tải tệp về hoặc chép nội dung, đưa cho thanh tra viên chạy lệnh bên dưới; kết quả phải đúng với các lựa chọn của bạn và mã xác nhận này.",
		"The ballot with the receipt below will not be sent. The audit file holds the encrypted ballot and the randomness used to encrypt it (not your card code). Download it or copy its text and hand it to an inspector, who runs the command below; the result must show your choices and this receipt."},
	"audit.tracker":  {"Mã xác nhận của phiếu đã kiểm tra (đã hủy)", "Receipt of the checked ballot (discarded)"},
	"audit.choices":  {"Lựa chọn của bạn", "Your choices"},
	"audit.none":     {"Không chọn (không hợp lệ)", "No mark (invalid)"},
	"audit.download": {"Tải tệp kiểm tra", "Download the audit file"},
	"audit.file":     {"Nội dung tệp kiểm tra", "The audit file's text"},
	"audit.command":  {"Lệnh của thanh tra viên:", "The inspector's command:"},
	"audit.again":    {"Mã hóa lại để gửi", "Encrypt again to send"},
	"audit.back":     {"Quay lại sửa phiếu", "Go back and change"},

	"receipt.heading": {"Phiếu của bạn đã được ghi nhận", "Your ballot was recorded"},
	"receipt.label":   {"Mã xác nhận", "Receipt"},
	"receipt.keep":    {"Hãy chép lại hoặc chụp lại mã xác nhận này.", "Write this receipt down or take a picture of it."},
	"receipt.check": {"Sau khi đóng phiên bỏ phiếu, Ban kiểm phiếu công bố Hồ sơ kiểm tra. Mã xác nhận của bạn phải có trong hồ sơ; bất kỳ ai có hồ sơ đều kiểm tra được bằng lệnh:",
		"After the vote is closed, the counting committee publishes the verification bundle. Your receipt must appear in it; anyone with the bundle can check with:"},
	"receipt.bundle": {"trong đó BUNDLE là Hồ sơ kiểm tra đã công bố.", "where BUNDLE is the published verification bundle."},
	"receipt.proves": {"Mã xác nhận chỉ chứng minh thẻ của bạn đã được dùng và phiếu đã được tính, không cho biết bạn đã chọn mức nào. Không ai có thể dùng nó để biết, hay buộc bạn chứng minh, nội dung phiếu của bạn.",
		"The receipt proves only that your card was used and your ballot counted, not how you voted. Nobody can use it to learn your choices or to make you prove them."},
	"receipt.close": {"Bạn có thể đóng trang này.", "You may close this page."},
	"receipt.lookup": {"Sau khi phiên bỏ phiếu đóng, bạn có thể tra cứu mã xác nhận này tại trang /tra-cuu của máy chủ bỏ phiếu để thấy phiếu của bạn đã được tính.",
		"After the vote closes, you can look this receipt up on the voting server's page /tra-cuu to see that your ballot was counted."},
	"receipt.lookup_link": {"Tra cứu mã xác nhận", "Look up a receipt"},

	"tracker.title":   {"Tra cứu mã xác nhận", "Look up a receipt"},
	"tracker.heading": {"Tra cứu mã xác nhận phiếu", "Look up a ballot receipt"},
	"tracker.help": {"Nhập mã xác nhận (bắt đầu bằng TB1) mà điện thoại hiện ra sau khi bạn gửi phiếu. Không phân biệt chữ hoa, chữ thường; dấu gạch ngang và khoảng trắng không quan trọng. Chỉ tra cứu được sau khi phiên bỏ phiếu đã đóng.",
		"Enter the receipt (it starts with TB1) your phone showed after you sent your ballot. Upper or lower case, dashes and spaces do not matter. A receipt can be looked up only once the vote is closed."},
	"tracker.label":   {"Mã xác nhận", "Receipt"},
	"tracker.submit":  {"Tra cứu", "Look up"},
	"tracker.empty":   {"Hãy nhập mã xác nhận bắt đầu bằng TB1.", "Enter the receipt, which starts with TB1."},
	"tracker.counted": {"Phiếu có mã xác nhận này đã được niêm phong và được tính", "The ballot with this receipt was sealed and counted"},
	"tracker.proves": {"Trang này chỉ cho biết phiếu đã được tính, không cho biết nội dung phiếu.",
		"This page says only that the ballot was counted, not what it says."},
	"tracker.back":  {"Về trang nhập mã phiếu", "Back to the card code page"},
	"entry.tracker": {"Tra cứu mã xác nhận phiếu đã gửi", "Look up the receipt of a ballot you sent"},

	"error.heading":    {"Chưa thể tiếp tục", "Cannot continue"},
	"error.retry":      {"Thử lại", "Try again"},
	"error.other_code": {"Nhập mã phiếu khác", "Enter another card code"},
	"error.network": {"Không kết nối được với máy chủ. Hãy kiểm tra điện thoại đang dùng mạng Wi-Fi của hội nghị rồi thử lại.",
		"Cannot reach the server. Check that your phone is on the meeting's Wi-Fi, then try again."},

	"error.token_unknown": {"Không tìm thấy thẻ bỏ phiếu có mã này. Hãy quét lại mã QR hoặc nhập lại mã phiếu; nếu vẫn không được, hãy liên hệ Ban kiểm phiếu.",
		"No voting card with this code was issued. Scan the QR code again or re-enter the card code; if it still fails, contact the counting committee."},
	"error.token_used": {"Thẻ này đã được dùng để bỏ phiếu. Nếu bạn chưa bỏ phiếu, hãy liên hệ Ban kiểm phiếu.",
		"This card has already been used to vote. If you have not voted, contact the counting committee."},
	"error.token_revoked": {"Thẻ này đã bị thu hồi nên không dùng được. Hãy liên hệ Ban kiểm phiếu để được cấp thẻ khác.",
		"This card was revoked and cannot be used. Contact the counting committee for another card."},
	"error.session_not_open": {"Phiên bỏ phiếu chưa mở. Hãy chờ Ban kiểm phiếu thông báo mở phiên rồi thử lại.",
		"Voting has not opened yet. Wait until the counting committee announces the opening, then try again."},
	"error.session_closed": {"Phiên bỏ phiếu đã đóng, không nhận thêm phiếu. Nếu bạn chưa bỏ phiếu, hãy báo Ban kiểm phiếu.",
		"Voting is closed and no more ballots are accepted. If you have not voted, tell the counting committee."},
	"error.session_not_closed": {"Phiên bỏ phiếu chưa đóng: hãy đóng phiên trước khi kiểm phiếu.",
		"The vote is not closed: close the session before the tally."},
	"error.session_not_tallied": {"Phiên chưa được kiểm phiếu: hãy kiểm phiếu trước khi phát hành biên bản và báo cáo.",
		"The session has not been tallied: tally it before issuing the minutes and reports."},
	"error.no_committee": {"Chưa có danh sách Ban kiểm phiếu: hãy nhập Ban kiểm phiếu trước khi kiểm phiếu.",
		"The counting committee is not named: name it before the tally."},
	"error.cosign_invalid": {"Không ghi được chữ ký đồng xác nhận: điểm kiểm tra hoặc chữ ký không hợp lệ với nhật ký của phiên này.",
		"The cosignature cannot be recorded: the checkpoint or the signature does not match this session's log."},
	"error.cosign_duplicate": {"Chữ ký đồng xác nhận này của thanh tra viên đã được ghi trước đó.",
		"This inspector's cosignature of this checkpoint is recorded already."},
	"error.unknown_cadre": {"Phiếu gửi lên có người không thuộc danh sách được lấy phiếu nên chưa được ghi nhận. Hãy tải lại trang và bỏ phiếu lại.",
		"The ballot names someone who is not on the list of cadres being rated, so it was not recorded. Reload the page and vote again."},
	"error.unknown_level": {"Phiếu gửi lên có lựa chọn không có trên phiếu nên chưa được ghi nhận. Hãy tải lại trang và chọn lại.",
		"The ballot holds a choice that is not on the ballot, so it was not recorded. Reload the page and choose again."},
	"error.bad_request": {"Yêu cầu gửi lên không đúng định dạng nên chưa được ghi nhận. Hãy tải lại trang và thử lại.",
		"The request was malformed and was not recorded. Reload the page and try again."},
	"error.field_name": {"Yêu cầu gửi lên có tên trường viết sai chữ hoa, chữ thường (ví dụ \"Choices\" thay cho \"choices\") nên chưa được ghi nhận; thẻ vẫn dùng được. Hãy tải lại trang và thử lại.",
		"A field name in the request differs from the API's in letter case (e.g. \"Choices\" for \"choices\"), so nothing was recorded; the card can still be used. Reload the page and try again."},
	"error.body_too_large": {"Yêu cầu gửi lên quá lớn nên chưa được ghi nhận. Hãy tải lại trang và thử lại.",
		"The request was too large and was not recorded. Reload the page and try again."},
	"error.not_found": {"Không tìm thấy trang này. Hãy quét lại mã QR trên thẻ bỏ phiếu hoặc mở trang nhập mã phiếu.",
		"This page does not exist. Scan the QR code on your voting card again or open the card code page."},
	"error.method_not_allowed": {"Trang này không nhận loại yêu cầu đó. Hãy tải lại trang và thử lại.",
		"This page does not accept that kind of request. Reload the page and try again."},
	"error.conflict": {"Thao tác này mâu thuẫn với dữ liệu đã ghi. Hãy tải lại trang để xem tình trạng hiện tại.",
		"This action conflicts with what is already recorded. Reload the page to see the current state."},
	"error.locked": {"Phiên bỏ phiếu đang ở trạng thái không cho phép thao tác này. Hãy tải lại trang để xem tình trạng hiện tại.",
		"The session's state does not allow this action. Reload the page to see the current state."},
	"error.tracker_unknown": {"Không tìm thấy phiếu có mã xác nhận này. Mã chỉ tra cứu được sau khi phiên bỏ phiếu đã đóng; hãy kiểm tra lại mã, và nếu phiên đã đóng mà vẫn không thấy, hãy báo Ban kiểm phiếu.",
		"No counted ballot has this receipt. A receipt can be looked up only once the vote is closed; check the code, and if the vote is closed and it is still not found, tell the counting committee."},
	"error.encrypt": {"Điện thoại không mã hóa được phiếu nên phiếu chưa được gửi; thẻ vẫn dùng được. Hãy tải lại trang và thử lại.",
		"The phone could not encrypt the ballot, so nothing was sent; the card can still be used. Reload the page and try again."},
	"error.receipt_mismatch": {"Máy chủ trả về mã xác nhận khác với mã điện thoại của bạn đã tính. Hãy chụp lại màn hình này và báo ngay cho Ban kiểm phiếu.",
		"The server answered with a receipt other than the one your phone computed. Take a picture of this screen and tell the counting committee at once."},
	"error.internal": {"Máy chủ gặp lỗi. Hãy thử lại sau ít phút; nếu vẫn lỗi, hãy liên hệ Ban kiểm phiếu.",
		"The server ran into an error. Try again in a few minutes; if it persists, contact the counting committee."},
}

// catalog is texts as the pages' script reads it: {"vi": {key: text},
// "en": {key: text}}. It is built once; the map is never written after.
var catalog = func() map[string]map[string]string {
	c := map[string]map[string]string{"vi": {}, "en": {}}
	for k, t := range texts {
		c["vi"][k], c["en"][k] = t.vi, t.en
	}
	return c
}()
