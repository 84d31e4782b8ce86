package main

import (
	"errors"
	"fmt"
	"strings"

	"tinnhiem/ballot"
	"tinnhiem/internal/msg"
)

// cliFlags holds the values of the flags a hint may repeat, taken from the
// command line as typed, so that a hint can be run as it is printed.
type cliFlags struct{ db, session string }

// scanFlags finds --db and --session in args (either "--db FILE" or
// "--db=FILE", one dash or two); what is not given stays a placeholder.
func scanFlags(args []string) cliFlags {
	f := cliFlags{db: "FILE", session: "ID"}
	for i, a := range args {
		if !strings.HasPrefix(a, "-") {
			continue
		}
		name, value, inline := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !inline {
			if i+1 >= len(args) {
				continue
			}
			value = args[i+1]
		}
		switch name {
		case "db":
			f.db = value
		case "session":
			f.session = value
		}
	}
	return f
}

// domainHints are the hints for the reasons of domain errors: the domain
// names the reason, the command line says which command or flag helps.
var domainHints = map[string]func(f cliFlags, args ballot.Args) string{
	"quorum_not_met": func(cliFlags, ballot.Args) string {
		return "check in the members present, or open with --override-quorum --reason TEXT"
	},
	"committee_too_small": func(cliFlags, ballot.Args) string {
		return "name every member: --member \"Full Name\" --member \"Full Name\" …"
	},
	"cadre_on_committee": func(f cliFlags, _ ballot.Args) string {
		return "tinnhiem session committee --db " + f.db + " --session " + f.session + " --member \"Full Name\" …"
	},
	"org_unknown": func(f cliFlags, _ ballot.Args) string { return "list them with: tinnhiem org list --db " + f.db },
	"key_mismatch": func(cliFlags, ballot.Args) string {
		return "use the key file the server signed with (tinnhiem serve --key FILE): give it with --key FILE"
	},
	"storage_mode": func(_ cliFlags, args ballot.Args) string {
		return fmt.Sprintf("run tinnhiem as the owner of the file, or chmod 600 %v", args["file"])
	},
	"storage_full": func(cliFlags, ballot.Args) string {
		return "free some disk space, then try again; nothing was recorded"
	},
	"storage_readonly": func(cliFlags, ballot.Args) string {
		return "check the permissions of the database file, its directory and its -wal and -shm files"
	},
	"storage_locked": func(cliFlags, ballot.Args) string {
		return "stop any other program that has the database file open, then try again"
	},
	"storage_no_wal": func(cliFlags, ballot.Args) string {
		return "put the database on a local disk that supports shared memory and file locks"
	},
	"storage_newer": func(cliFlags, ballot.Args) string {
		return "run a tinnhiem at least as new as the one that last wrote this file"
	},
	"ceremony_incomplete": func(f cliFlags, _ ballot.Args) string {
		return "see who is missing: tinnhiem ceremony status --db " + f.db + " --session " + f.session +
			"; add their files with tinnhiem ceremony add, then tinnhiem ceremony complete"
	},
	"ceremony_waiting": func(f cliFlags, args ballot.Args) string {
		return fmt.Sprintf("add the trustee's messages (tinnhiem ceremony add), or go on without them: tinnhiem ceremony complete --db %s --session %s --absent %v",
			f.db, f.session, args["trustee"])
	},
	"partials_missing": func(f cliFlags, _ ballot.Args) string {
		return "each trustee decrypts the tally from tinnhiem partial export-tally --db " + f.db + " --session " + f.session +
			" --out tally.json (tinnhiem-verify trustee decrypt); then tinnhiem partial add --db " + f.db + " --session " + f.session + " FILE…"
	},
	"partial_invalid": func(f cliFlags, _ ballot.Args) string {
		return "the trustee decrypts again with their own key.json and the tally of tinnhiem partial export-tally --db " + f.db + " --session " + f.session
	},
	"session_not_encrypted": func(cliFlags, ballot.Args) string {
		return "this session was created with --clear: it has no key ceremony and no partial decryptions"
	},
}

// csvHints are the hints for the problems of an imported file, by the
// problem's key; the columns hint depends on the kind of list.
var csvHints = map[string]func(args ballot.Args) string{
	"file_empty": func(ballot.Args) string {
		return "check that this is the right file and that it was saved with its contents"
	},
	"no_rows": func(ballot.Args) string { return "add one row per person under the header line" },
	"not_utf8": func(ballot.Args) string {
		return "save the file as UTF-8: in Excel choose File > Save As > \"CSV UTF-8 (Comma delimited)\"; in LibreOffice choose the character set \"Unicode (UTF-8)\""
	},
	"quote_unclosed": quoteHint,
	"quote_trailing": quoteHint,
	"too_many_rows": func(ballot.Args) string {
		return "check that this is the right file; a roster or cadre list holds at most 100,000 rows"
	},
	"unknown_column": columnsHint,
	"missing_column": columnsHint,
	"column_twice":   func(ballot.Args) string { return "delete one of the two columns" },
	"column_count": func(ballot.Args) string {
		return "every row needs one cell per column; put a value that contains a comma in double quotes"
	},
	"cell_no_heading": func(ballot.Args) string {
		return "give the column a heading, or delete it if it does not belong in the file"
	},
	"cell_invisible": func(ballot.Args) string {
		return "retype the cell by hand; invisible characters make two names look alike"
	},
	"cell_formula": func(ballot.Args) string {
		return "type names, positions and units as plain text that does not start with = + - or @; leave a cell empty rather than writing \"-\""
	},
	"cell_empty": func(ballot.Args) string {
		return "fill in every name (and for cadres, every position), or delete the row"
	},
	"duplicate_member": func(ballot.Args) string {
		return "if they are two people with the same name, add something that tells them apart to the name, e.g. the year of birth: \"Nguyễn Văn An (1975)\"; otherwise delete the repeated row"
	},
	"duplicate_cadre": func(ballot.Args) string {
		return "each ballot line is one person in one position; delete the repeated row"
	},
	"line_too_long": func(ballot.Args) string {
		return "check that this is the right file; no row of a roster or cadre list is that long"
	},
	"xlsx_old_format": xlsxSaveHint,
	"xlsx_too_large": func(ballot.Args) string {
		return "check that this is the right file; delete other sheets, pictures and styles, or save the list as CSV UTF-8"
	},
	"xlsx_unpacks_too_large": func(ballot.Args) string {
		return "check that this is the right file; a roster or cadre list is far smaller"
	},
	"xlsx_not_workbook": func(ballot.Args) string {
		return "open the list in Excel or LibreOffice and save it again as .xlsx or as CSV UTF-8; an OpenDocument (.ods) file must be saved as .xlsx first"
	},
	"xlsx_no_visible_sheet": func(ballot.Args) string {
		return "unhide the sheet that holds the list (right-click a sheet tab > Unhide)"
	},
	"xlsx_visible_sheets": func(ballot.Args) string {
		return "delete or hide (right-click the tab > Hide) every sheet except the one with the list, or copy the list into a workbook of its own"
	},
	"xlsx_merged": func(ballot.Args) string {
		return "unmerge the cells (Home > Merge & Center) and type the value in every row that needs it"
	},
	"xlsx_formula": func(ballot.Args) string {
		return "replace formulas by their values: copy the cells, then Paste Special > Values; type names, positions and units as plain text"
	},
	"xlsx_hidden_column": hiddenHint,
	"xlsx_hidden_row":    hiddenHint,
}

func xlsxSaveHint(ballot.Args) string {
	return "in Excel choose File > Save As > \"Excel Workbook (*.xlsx)\" or \"CSV UTF-8 (Comma delimited)\"; in LibreOffice choose \"Excel 2007-365 (.xlsx)\""
}

func hiddenHint(ballot.Args) string {
	return "unhide every row and column (select all, right-click > Unhide) and clear any filter; delete what does not belong in the list"
}

func quoteHint(ballot.Args) string {
	return "a cell in double quotes must end with a double quote on the same line; write a double quote inside such a cell as two (\"\")"
}

func columnsHint(args ballot.Args) string {
	if args["list"] == "cadres" {
		return "a cadre list has exactly the columns Họ và tên (name) and Chức vụ (position); if this is the roster of members, import it as the roster"
	}
	return "a roster has the columns Họ và tên (name), and optionally Chức vụ (position) and Đơn vị (unit); delete other columns or check that this is the roster file"
}

// domainHint returns the hint for the domain error in err's chain, with
// the flag values of the command line, or "" when there is none. For an
// imported file it lists the hint of each kind of problem once.
func domainHint(err error, f cliFlags) string {
	var be *ballot.Error
	if !errors.As(err, &be) {
		return ""
	}
	if be.Key == "csv_invalid" {
		var hints []string
		for _, p := range be.Problems {
			h, ok := csvHints[p.Key]
			if !ok {
				continue
			}
			if s := h(p.Args); !contains(hints, s) {
				hints = append(hints, s)
			}
		}
		return strings.Join(hints, "; ")
	}
	if h, ok := domainHints[be.Key]; ok {
		return h(f, be.Args)
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// cliGeneric is the Vietnamese said for an error the catalog has no
// sentence for (the command line's own checks, files, the system): the
// details follow in English.
const cliGeneric = "Lệnh không thực hiện được (chi tiết bằng tiếng Anh)"

// bilingual renders err for the error line, Vietnamese first: the
// catalog's sentences for a domain error, with the English keeping what
// the command added around it (the file name, "nothing was imported");
// otherwise a generic Vietnamese sentence and the English message.
func bilingual(err error) string {
	vi, en, ok := msg.Render(err)
	if !ok {
		return cliGeneric + " / " + err.Error()
	}
	var be *ballot.Error
	errors.As(err, &be)
	line := err.Error()
	if be.Message == "" {
		// Without a technical detail the English sentence replaces the
		// key line inside whatever the command wrapped it in.
		line = strings.Replace(line, be.Error(), en, 1)
	}
	return vi + " / " + line
}
