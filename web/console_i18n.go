package web

// consoleTexts are the console's texts, kept apart from the voter's in
// i18n.go so that each file stays one concern. init merges them into the
// one catalogue (texts and catalog) before any page is rendered; a key
// defined twice is a programming error and stops the program at start.
var consoleTexts = map[string]text{
	"console.name":     {"Lấy phiếu tín nhiệm — Quản lý", "Confidence vote — Console"},
	"console.login":    {"Đăng nhập", "Sign in"},
	"console.logout":   {"Đăng xuất", "Sign out"},
	"console.home":     {"Các phiên bỏ phiếu", "Vote sessions"},
	"console.orgs":     {"Tổ chức và tài khoản", "Organisations and accounts"},
	"console.session":  {"Phiên bỏ phiếu", "Vote session"},
	"console.preview":  {"Xem trước tệp tải lên", "Preview of the upload"},
	"console.checkin":  {"Điểm danh", "Check-in"},
	"console.open":     {"Mở phiên bỏ phiếu", "Open the vote"},
	"console.close":    {"Đóng phiên bỏ phiếu", "Close the vote"},
	"console.log":      {"Nhật ký kiểm toán", "Audit log"},
	"console.error":    {"Chưa thể tiếp tục", "Cannot continue"},
	"console.back":     {"Quay lại", "Go back"},
	"console.sessions": {"Về danh sách phiên", "Back to the sessions"},

	"login.name":     {"Tên tài khoản", "Account name"},
	"login.password": {"Mật khẩu", "Password"},
	"login.submit":   {"Đăng nhập", "Sign in"},

	"role.admin":     {"Quản trị hệ thống", "Administrator"},
	"role.organiser": {"Tổ chức hội nghị", "Organiser"},
	"role.inspector": {"Kiểm tra, giám sát", "Inspector"},

	"home.none":     {"Chưa có phiên bỏ phiếu nào bạn được xem.", "There is no session you may see yet."},
	"home.create":   {"Tạo phiên bỏ phiếu mới", "Create a vote session"},
	"home.admin":    {"Quản lý tổ chức và tài khoản", "Manage organisations and accounts"},
	"field.org":     {"Tổ chức", "Organisation"},
	"field.title":   {"Tên hội nghị", "Meeting title"},
	"field.body":    {"Cơ quan, tổ chức lấy phiếu", "Body holding the vote"},
	"field.date":    {"Ngày (NNNN-TT-NN)", "Date (YYYY-MM-DD)"},
	"field.place":   {"Địa điểm", "Place"},
	"field.rules":   {"Quy định áp dụng", "Rule set"},
	"field.state":   {"Trạng thái", "State"},
	"field.id":      {"Mã phiên", "Session ID"},
	"field.name":    {"Họ và tên", "Full name"},
	"field.pos":     {"Chức vụ", "Position"},
	"field.unit":    {"Đơn vị", "Unit"},
	"field.role":    {"Vai trò", "Role"},
	"field.scope":   {"Phạm vi", "Scope"},
	"field.line":    {"Dòng", "Line"},
	"button.add":    {"Thêm", "Add"},
	"button.save":   {"Lưu", "Save"},
	"button.create": {"Tạo phiên", "Create session"},

	"orgs.heading":      {"Tổ chức", "Organisations"},
	"orgs.new":          {"Tên tổ chức mới", "New organisation's name"},
	"accounts.heading":  {"Tài khoản", "Accounts"},
	"accounts.new":      {"Tạo tài khoản", "Create an account"},
	"accounts.orgs":     {"Tổ chức (cho người tổ chức hội nghị)", "Organisations (for organisers)"},
	"accounts.sessions": {"Phiên (cho người kiểm tra)", "Sessions (for inspectors)"},

	"session.present":        {"Có mặt", "Present"},
	"session.summoned":       {"Được triệu tập", "Summoned"},
	"session.quorum.ok":      {"Đủ số lượng tối thiểu (2/3)", "Quorum met (2/3)"},
	"session.quorum.no":      {"Không đủ số lượng tối thiểu (2/3)", "Quorum not met (2/3)"},
	"session.issued":         {"Phiếu phát ra", "Ballots issued"},
	"session.used":           {"Đã bỏ phiếu", "Voted"},
	"session.remaining":      {"Còn lại", "Remaining"},
	"session.live":           {"Số liệu tự cập nhật vài giây một lần; không bao giờ cho biết nội dung phiếu.", "These figures refresh every few seconds; they never say anything about how anyone voted."},
	"session.roster":         {"Danh sách triệu tập", "Roster"},
	"session.cadres":         {"Người được lấy phiếu tín nhiệm", "Cadres being rated"},
	"session.committee":      {"Ban kiểm phiếu", "Counting committee"},
	"session.committee.help": {"Mỗi dòng một người.", "One person per line."},
	"session.upload":         {"Tải lên tệp CSV", "Upload a CSV file"},
	"session.upload.help":    {"Tệp được kiểm tra và hiển thị để xem trước; chưa có gì được lưu cho đến khi bạn xác nhận.", "The file is checked and shown for preview; nothing is saved until you confirm."},
	"session.preview":        {"Xem trước", "Preview"},
	"session.cards":          {"Phát hành thẻ bỏ phiếu", "Issue voting cards"},
	"session.cards.count":    {"Số thẻ", "Number of cards"},
	"session.cards.help":     {"Tệp PDF chỉ được tải về một lần: mã phiếu không được lưu ở đâu khác. Hãy in rồi xoá tệp.", "The PDF downloads once: the card codes are kept nowhere else. Print it, then delete the file."},
	"session.revoke":         {"Thu hồi thẻ", "Revoke a card"},
	"session.revoke.code":    {"Mã phiếu", "Card code"},
	"session.revoke.reason":  {"Lý do", "Reason"},
	"session.checkin":        {"Điểm danh người có mặt", "Check in members present"},
	"session.open":           {"Mở phiên bỏ phiếu…", "Open the vote…"},
	"session.close":          {"Đóng phiên bỏ phiếu…", "Close the vote…"},
	"session.tally":          {"Kiểm phiếu và phát hành biên bản", "Count and issue the reports"},
	"session.tally.none":     {"Máy chủ chưa được cấu hình chữ ký PDF nên chưa kiểm phiếu từ đây được.", "The server has no PDF signer configured, so it cannot count from here."},
	"session.bundle":         {"Tải Hồ sơ kiểm tra (tệp zip)", "Download the verification bundle (zip)"},
	"session.documents":      {"Tài liệu đã phát hành", "Issued documents"},
	"session.log":            {"Nhật ký kiểm toán và điểm kiểm tra có chữ ký", "Audit log and signed checkpoints"},
	"session.readonly":       {"Bạn chỉ có quyền xem phiên này.", "You may only view this session."},

	"preview.ok":      {"Tệp hợp lệ. Hãy kiểm tra rồi xác nhận để lưu.", "The file is valid. Check it, then confirm to save it."},
	"preview.errors":  {"Tệp có lỗi; chưa có gì được lưu. Hãy sửa tệp rồi tải lên lại.", "The file has errors; nothing was saved. Fix the file and upload it again."},
	"preview.confirm": {"Xác nhận và lưu", "Confirm and save"},

	"checkin.search": {"Tìm theo tên", "Search by name"},
	"checkin.submit": {"Ghi nhận có mặt", "Record as present"},

	"confirm.open.text":  {"Khi mở phiên, danh sách triệu tập, danh sách người được lấy phiếu và thẻ bỏ phiếu bị khoá. Việc mở phiên được ghi vào nhật ký kiểm toán.", "Opening freezes the roster, the cadres and the cards. The opening is written to the audit log."},
	"confirm.close.text": {"Khi đóng phiên, không nhận thêm phiếu nào nữa; các phiếu được niêm phong vào nhật ký kiểm toán. Không thể mở lại.", "Once closed, no more ballots are accepted; the ballots are sealed into the audit log. It cannot be reopened."},
	"confirm.check":      {"Tôi xác nhận", "I confirm"},
	"confirm.override":   {"Mở dù không đủ số lượng tối thiểu (ghi rõ lý do)", "Open although the quorum is not met (give the reason)"},
	"confirm.reason":     {"Lý do", "Reason"},

	"log.seq":         {"Số", "No."},
	"log.time":        {"Thời gian (UTC)", "Time (UTC)"},
	"log.type":        {"Loại", "Type"},
	"log.actor":       {"Người thực hiện", "Actor"},
	"log.data":        {"Dữ liệu", "Data"},
	"log.checkpoints": {"Điểm kiểm tra có chữ ký", "Signed checkpoints"},
	"log.key":         {"Dấu vân tay khoá của máy chủ", "Server key fingerprint"},
	"log.cosign":      {"Ghi chữ ký đồng xác nhận của thanh tra", "Record an inspector's cosignature"},
	"log.cosign.help": {"Dán điểm kiểm tra đã được đồng ký bằng tinnhiem-verify cosign, và khóa công khai của người đồng ký.", "Paste the checkpoint cosigned with tinnhiem-verify cosign, and the cosigner's public key."},
	"log.cosign.note": {"Điểm kiểm tra đã đồng ký", "Cosigned checkpoint"},
	"log.cosign.key":  {"Khóa công khai của người đồng ký", "Cosigner's public key"},

	"done.created":   {"Đã tạo phiên bỏ phiếu.", "The session was created."},
	"done.org":       {"Đã thêm tổ chức.", "The organisation was added."},
	"done.account":   {"Đã tạo tài khoản.", "The account was created."},
	"done.roster":    {"Đã lưu danh sách triệu tập.", "The roster was saved."},
	"done.cadres":    {"Đã lưu danh sách người được lấy phiếu.", "The cadres were saved."},
	"done.committee": {"Đã lưu Ban kiểm phiếu.", "The counting committee was saved."},
	"done.checkin":   {"Đã ghi nhận người có mặt.", "Attendance was recorded."},
	"done.revoked":   {"Đã thu hồi thẻ.", "The card was revoked."},
	"done.cosigned":  {"Đã ghi chữ ký đồng xác nhận vào nhật ký.", "The cosignature was recorded in the log."},
	"done.opened":    {"Đã mở phiên bỏ phiếu.", "The vote is open."},
	"done.closed":    {"Đã đóng phiên bỏ phiếu.", "The vote is closed."},
	"done.tallied":   {"Đã kiểm phiếu và phát hành tài liệu.", "The ballots were counted and the documents issued."},

	"error.forbidden":       {"Tài khoản của bạn không có quyền làm việc này, hoặc phiên bỏ phiếu này không tồn tại.", "Your account may not do this, or this session does not exist."},
	"error.signed_out":      {"Bạn chưa đăng nhập hoặc phiên đăng nhập đã hết hạn. Hãy đăng nhập lại.", "You are not signed in, or your sign-in has expired. Sign in again."},
	"error.csrf":            {"Biểu mẫu đã cũ hoặc không hợp lệ. Hãy tải lại trang rồi thử lại.", "The form is stale or invalid. Reload the page and try again."},
	"error.upload_missing":  {"Hãy chọn một tệp CSV để tải lên.", "Choose a CSV file to upload."},
	"error.upload_expired":  {"Bản xem trước đã hết hạn hoặc đã được lưu. Hãy tải tệp lên lại.", "The preview has expired or was already saved. Upload the file again."},
	"error.checkin_none":    {"Hãy đánh dấu ít nhất một người có mặt.", "Tick at least one member present."},
	"error.confirm_missing": {"Hãy đánh dấu ô xác nhận trước.", "Tick the confirmation box first."},
	"error.no_signer":       {"Máy chủ chưa được cấu hình chữ ký PDF.", "The server has no PDF signer configured."},
}

func init() {
	for k, t := range consoleTexts {
		if _, dup := texts[k]; dup {
			panic("web: text " + k + " is defined twice")
		}
		texts[k] = t
		catalog["vi"][k], catalog["en"][k] = t.vi, t.en
	}
}
