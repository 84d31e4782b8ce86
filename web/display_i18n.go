package web

// displayTexts are the projector's texts (display.go), kept in their own
// file like the console's; init merges them into the one catalogue.
var displayTexts = map[string]text{
	"display.title": {"Trình chiếu", "Projection"},
	"display.code":  {"Mã trình chiếu", "Display code"},
	"display.code.help": {"Nhập mã trình chiếu hiện trên trang quản lý phiên (20 chữ cái và chữ số). Không phân biệt chữ hoa, chữ thường; dấu gạch ngang và khoảng trắng không quan trọng.",
		"Enter the display code shown on the session's console page (20 letters and digits). Upper or lower case, dashes and spaces do not matter."},
	"display.open":          {"Mở trình chiếu", "Open the projection"},
	"display.unknown":       {"Mã trình chiếu không đúng, hoặc đã được thay bằng mã mới. Hãy lấy mã mới nhất trên trang quản lý phiên.", "The display code is wrong or was replaced by a new one. Take the latest code from the session's console page."},
	"display.fullscreen":    {"Toàn màn hình", "Full screen"},
	"display.state.draft":   {"Chưa mở bỏ phiếu", "Voting has not opened"},
	"display.state.open":    {"Đang bỏ phiếu", "Voting is open"},
	"display.state.closed":  {"Đã đóng bỏ phiếu, đang kiểm phiếu", "Voting is closed; the count is under way"},
	"display.state.tallied": {"Đã kiểm phiếu", "Counted"},
	"display.summoned":      {"Tổng số đại biểu được triệu tập", "Members summoned"},
	"display.present":       {"Số đại biểu có mặt", "Members present"},
	"display.quorum":        {"Điều kiện tiến hành (ít nhất 2/3 số được triệu tập có mặt)", "Quorum (at least two thirds of those summoned present)"},
	"display.quorum.ok":     {"Đủ", "Reached"},
	"display.quorum.no":     {"Chưa đủ", "Not reached"},
	"display.received":      {"Số phiếu đã nhận", "Ballots received"},
	"display.noresult": {"Kết quả chỉ được công bố sau khi kiểm phiếu. Trong khi bỏ phiếu không có kết quả nào, kể cả kết quả tạm thời.",
		"Results are shown only after the tally. While the vote runs there is no result, not even a partial one."},
	"display.results":                 {"Kết quả kiểm phiếu", "Results of the tally"},
	"display.table":                   {"Kết quả đối với từng người được lấy phiếu", "Results for each cadre"},
	"display.cadre":                   {"Người được lấy phiếu", "Cadre"},
	"display.invalid":                 {"Không hợp lệ", "Invalid"},
	"display.condition":               {"Kết luận", "Finding"},
	"display.cond.none":               {"Không thuộc trường hợp nào", "No threshold reached"},
	"display.cond.more_than_half_low": {"Trên 1/2 tín nhiệm thấp", "More than half rate low"},
	"display.cond.two_thirds_low":     {"Từ 2/3 trở lên tín nhiệm thấp", "Two thirds or more rate low"},
	"display.collected":               {"Số phiếu thu về", "Ballots collected"},
	"display.percent":                 {"Tỷ lệ phần trăm tính trên {d}", "Percentages are of {d}"},
	"display.offline":                 {"Mất kết nối với máy chủ; số liệu trên màn hình có thể đã cũ. Đang thử lại…", "Lost the connection to the server; the figures shown may be out of date. Retrying…"},

	"display.console.title": {"Trình chiếu tại hội trường", "The hall's projector"},
	"display.console.help": {"Màn hình trình chiếu chỉ hiện tên phiên, số đại biểu, điều kiện tiến hành, số phiếu đã nhận và, sau khi kiểm phiếu, kết quả. Mỗi lần cấp mã mới, mã cũ hết hiệu lực.",
		"The projection shows the session's title, the members, the quorum, the number of ballots received and, after the tally, the results. Each new code replaces the last."},
	"display.console.issue":  {"Cấp mã trình chiếu mới", "Issue a new display code"},
	"display.console.issued": {"Đã cấp mã trình chiếu mới; mã cũ không còn dùng được.", "A new display code was issued; the previous one no longer works."},
	"display.console.qr":     {"Mã QR của địa chỉ trang trình chiếu", "QR code of the projection page's address"},
	"display.console.url":    {"Địa chỉ mở trên máy chiếu", "Address to open on the projector"},
	"display.console.code":   {"Mã trình chiếu", "Display code"},
	"display.console.once": {"Mã chỉ hiện một lần ở đây và không được lưu; nhật ký chỉ ghi mã băm SHA-256 của nó.",
		"The code is shown here once and kept nowhere; the log holds only its SHA-256."},
	"error.display_unknown": {"Mã trình chiếu không đúng, hoặc đã được thay bằng mã mới. Hãy lấy mã mới nhất trên trang quản lý phiên.",
		"The display code is wrong or was replaced by a new one. Take the latest code from the session's console page."},
}

func init() {
	for k, t := range displayTexts {
		if _, dup := texts[k]; dup {
			panic("web: text " + k + " is defined twice")
		}
		texts[k] = t
		catalog["vi"][k], catalog["en"][k] = t.vi, t.en
	}
}
