package tally_test

import (
	"fmt"
	"os"

	"tinnhiem/tally"
)

func ExampleCount() {
	res, err := tally.Count(tally.Input{
		Rules: tally.QD96,
		Cadres: []tally.Cadre{
			{ID: "1", Name: "Nguyễn Văn An", Position: "Bí thư Đảng ủy Khối"},
			{ID: "2", Name: "Trần Thị Bích Ngọc", Position: "Phó Bí thư Thường trực"},
		},
		Members: 6,
		Issued:  5,
		// One ballot per voter, one mark per cadre: the fourth voter left the
		// second cadre unmarked, the fifth sent two marks for it.
		Ballots: []string{"HL", "HL", "NL", "L-", "HX"},
	})
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Printf("%s — phiếu phát ra %d, thu về %d\n", res.Rules.Short(), res.Issued, res.Collected)
	for _, c := range res.Cadres {
		fmt.Printf("%s: hợp lệ %d, không hợp lệ %d\n", c.Cadre.Name, c.Valid, c.Invalid)
		for _, l := range tally.Levels {
			fmt.Printf("  %s: %d (%s%%)\n", l.Vietnamese(), c.Counts[l], c.Percent[l].Vietnamese())
		}
		fmt.Printf("  %s\n", c.Condition)
	}
	// Output:
	// Quy định 96-QĐ/TW — phiếu phát ra 5, thu về 5
	// Nguyễn Văn An: hợp lệ 5, không hợp lệ 0
	//   Tín nhiệm cao: 3 (60,00%)
	//   Tín nhiệm: 1 (20,00%)
	//   Tín nhiệm thấp: 1 (20,00%)
	//   none
	// Trần Thị Bích Ngọc: hợp lệ 3, không hợp lệ 2
	//   Tín nhiệm cao: 0 (0,00%)
	//   Tín nhiệm: 0 (0,00%)
	//   Tín nhiệm thấp: 3 (60,00%)
	//   more_than_half_low
}

func ExamplePercentOf() {
	for _, f := range [][2]int{{19, 47}, {437, 485}, {1, 800}} {
		p := tally.PercentOf(f[0], f[1])
		fmt.Printf("%d/%d = %s%% = %s%%\n", f[0], f[1], p, p.Vietnamese())
	}
	// Output:
	// 19/47 = 40.43% = 40,43%
	// 437/485 = 90.10% = 90,10%
	// 1/800 = 0.13% = 0,13%
}

func ExampleCondition_Vietnamese() {
	c := tally.ConditionOf(25, 47) // 25 low of 47 ballots collected
	fmt.Println(c.Vietnamese(tally.NQ96))
	// Output:
	// Có trên một nửa đến dưới hai phần ba tổng số phiếu đánh giá “tín nhiệm thấp”: người được lấy phiếu có thể xin từ chức; nếu không xin từ chức, Ủy ban Thường vụ Quốc hội trình Quốc hội, Thường trực Hội đồng nhân dân trình Hội đồng nhân dân bỏ phiếu tín nhiệm (Điều 12 Nghị quyết 96/2023/QH15).
}

func ExampleWriteJSON() {
	res, err := tally.Count(tally.Input{
		Rules:   tally.NQ85,
		Cadres:  []tally.Cadre{{ID: "1", Name: "Lê Hoàng Long", Position: "Chủ tịch"}},
		Members: 4,
		Issued:  3,
		Ballots: []string{"L", "L", "H"},
	})
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	if err := tally.WriteJSON(os.Stdout, res); err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// {
	//   "format": "tinnhiem-tally/v1",
	//   "rules": "nq85",
	//   "rules_title": "Nghị quyết 85/2014/QH13 ngày 28/11/2014 của Quốc hội",
	//   "members": 4,
	//   "issued": 3,
	//   "collected": 3,
	//   "denominator": 4,
	//   "denominator_text": "tổng số đại biểu",
	//   "levels": ["high", "normal", "low"],
	//   "levels_vi": ["Tín nhiệm cao", "Tín nhiệm", "Tín nhiệm thấp"],
	//   "cadres": [
	//     {
	//       "cadre": {
	//         "id": "1",
	//         "name": "Lê Hoàng Long",
	//         "position": "Chủ tịch"
	//       },
	//       "valid": 3,
	//       "invalid": 0,
	//       "counts": [1, 0, 2],
	//       "percent_hundredths": [2500, 0, 5000],
	//       "percent_text": ["25.00", "0.00", "50.00"],
	//       "condition": "none",
	//       "article": "Điều 13 Nghị quyết 85/2014/QH13",
	//       "condition_text": "Số phiếu “tín nhiệm thấp” không quá một nửa tổng số đại biểu; không thuộc trường hợp nào theo Điều 13 Nghị quyết 85/2014/QH13.",
	//       "condition_text_en": "Low-confidence votes are not more than half of all members of the body; no threshold of Article 13, Resolution 85/2014/QH13 is reached."
	//     }
	//   ]
	// }
}
