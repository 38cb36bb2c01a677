"""Numbered schema migrations of the state store. Append only: never edit a shipped entry.

Types are ones SQLite and PostgreSQL both understand (TEXT, INTEGER, DOUBLE PRECISION); times are Unix
seconds (DOUBLE PRECISION) so comparisons are plain numbers on both.
"""

from __future__ import annotations

MIGRATIONS: list[list[str]] = [
    # 1: accounts, sign-in sessions and failures, model quotas, the audit log, process-shared secrets
    [
        "CREATE TABLE accounts (id TEXT PRIMARY KEY, name TEXT NOT NULL, department TEXT NOT NULL, "
        "role TEXT NOT NULL, password_hash TEXT NOT NULL, updated_at TEXT NOT NULL)",
        "CREATE TABLE sessions (token_hash TEXT PRIMARY KEY, person TEXT NOT NULL, "
        "created_at DOUBLE PRECISION NOT NULL, expires_at DOUBLE PRECISION NOT NULL, revoked INTEGER NOT NULL DEFAULT 0)",
        "CREATE TABLE sign_in_failures (key TEXT NOT NULL, at DOUBLE PRECISION NOT NULL)",
        "CREATE INDEX sign_in_failures_key ON sign_in_failures (key, at)",
        "CREATE TABLE quota_calls (who TEXT NOT NULL, at DOUBLE PRECISION NOT NULL, day TEXT NOT NULL)",
        "CREATE INDEX quota_calls_who ON quota_calls (who, at)",
        "CREATE TABLE audit (event_id TEXT PRIMARY KEY, ts TEXT NOT NULL, user_id TEXT, department TEXT, role TEXT, "
        "action TEXT NOT NULL, target TEXT, server TEXT)",
        "CREATE INDEX audit_ts ON audit (ts)",
        "CREATE TABLE secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ],
    # 2: conversation history and drafts, per person (pseudonym), stored masked
    [
        "CREATE TABLE conversations (id TEXT PRIMARY KEY, owner TEXT NOT NULL, kind TEXT NOT NULL, "
        "title TEXT NOT NULL, created_at DOUBLE PRECISION NOT NULL, updated_at DOUBLE PRECISION NOT NULL, "
        "turns TEXT NOT NULL)",
        "CREATE INDEX conversations_owner ON conversations (owner, updated_at)",
        "CREATE TABLE drafts (id TEXT PRIMARY KEY, owner TEXT NOT NULL, template TEXT NOT NULL, title TEXT NOT NULL, "
        "created_at DOUBLE PRECISION NOT NULL, updated_at DOUBLE PRECISION NOT NULL, data TEXT NOT NULL)",
        "CREATE INDEX drafts_owner ON drafts (owner, updated_at)",
    ],
    # 3: accounts can be disabled; a session names its account, so a password reset or a disable ends them all
    [
        "ALTER TABLE accounts ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE sessions ADD COLUMN account TEXT",
        "CREATE INDEX sessions_account ON sessions (account, revoked)",
        # Sessions of the earlier version name no account, so no reset could reach them: they end once, here.
        "UPDATE sessions SET revoked = 1 WHERE account IS NULL",
    ],
    # 4: a conversation grows by appending one row per answered question (earlier turns are not written again)
    [
        "CREATE TABLE conversation_turns (conversation TEXT NOT NULL, seq INTEGER NOT NULL, owner TEXT NOT NULL, "
        "body TEXT NOT NULL, PRIMARY KEY (conversation, seq))",
    ],
    # 5: a draft shared with named colleagues of the owner's 과, read-only or editable (one record, one history)
    [
        "CREATE TABLE draft_shares (draft TEXT NOT NULL, owner TEXT NOT NULL, colleague TEXT NOT NULL, "
        "name TEXT NOT NULL, department TEXT NOT NULL, editable INTEGER NOT NULL, "
        "created_at DOUBLE PRECISION NOT NULL, edited_at DOUBLE PRECISION, edits INTEGER NOT NULL DEFAULT 0, "
        "PRIMARY KEY (draft, colleague))",
        "CREATE INDEX draft_shares_colleague ON draft_shares (colleague)",
    ],
    # 6: the pilot rollout: an account's 직급 and 이메일 (from the 인사 export), units opened on a date (waves),
    # and the announcement banner administrators edit
    [
        "ALTER TABLE accounts ADD COLUMN grade TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE accounts ADD COLUMN email TEXT NOT NULL DEFAULT ''",
        "CREATE TABLE rollout_waves (unit TEXT PRIMARY KEY, opens_on TEXT NOT NULL, set_by TEXT NOT NULL, "
        "set_at DOUBLE PRECISION NOT NULL)",
        "CREATE TABLE announcements (id TEXT PRIMARY KEY, kind TEXT NOT NULL, body TEXT NOT NULL, "
        "starts_on TEXT, ends_on TEXT, set_by TEXT NOT NULL, set_at DOUBLE PRECISION NOT NULL)",
    ],
]
