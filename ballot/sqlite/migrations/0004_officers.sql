-- 0004_officers: the head of the counting committee (Trưởng ban kiểm phiếu)
-- and the chair and secretary of the meeting, which the minutes name. The
-- audit log (CommitteeSet) is what documents read; these columns let the
-- console show and keep them. Empty for sessions that never named them.
ALTER TABLE sessions ADD COLUMN committee_head TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN chair TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN secretary TEXT NOT NULL DEFAULT '';
