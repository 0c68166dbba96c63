-- Schema version 2: account hardening.
-- A one-time code works once: the time-step (Unix seconds // 30) of the last code accepted
-- for the user; a code of that step or an earlier one is refused (replay).

ALTER TABLE users ADD COLUMN totp_last_step INTEGER;
