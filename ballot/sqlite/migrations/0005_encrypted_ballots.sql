-- 0005_encrypted_ballots: the encrypted ballot as cast (tinnhiem-box-ballot/v1
-- JSON, SPEC.md 11.5) in an encrypted session, whose marks column stays
-- empty: no plaintext ballot is ever stored. NULL for clear ballots.
ALTER TABLE ballots ADD COLUMN box BLOB;
