namespace ChatBot.Data.Schema;

/// <summary>One step of the schema. Applied in order, each in its own transaction, recorded in <c>schema_version</c>.</summary>
public sealed record Migration(int Version, string Description, string Sql);

/// <summary>
/// The bot's schema, as an append-only list: never edit a released step, add the next one.
/// Dates are integers: <c>local_day</c> is days since 1970-01-01, instants are Unix milliseconds.
/// One list for both engines: written in SQLite's DDL with <c>TEXT</c> and <c>INTEGER</c> only, PostgreSQL gets each
/// step through <see cref="SqlDialect.Ddl"/> (64-bit integers, identity keys).
/// </summary>
public static class Migrations
{
    public static IReadOnlyList<Migration> All { get; } =
    [
        new(1, "channels, users, breaks, posts, completions, streaks", """
            CREATE TABLE channels (
                platform   TEXT NOT NULL,
                team_id    TEXT NOT NULL,
                channel_id TEXT NOT NULL,
                time_zone  TEXT,
                PRIMARY KEY (platform, team_id, channel_id)
            ) WITHOUT ROWID;

            CREATE TABLE users (
                platform           TEXT NOT NULL,
                team_id            TEXT NOT NULL,
                user_id            TEXT NOT NULL,
                display_name       TEXT NOT NULL,
                time_zone          TEXT,
                platform_time_zone TEXT,
                PRIMARY KEY (platform, team_id, user_id)
            ) WITHOUT ROWID;

            CREATE TABLE breaks (
                id         INTEGER PRIMARY KEY,
                platform   TEXT NOT NULL,
                team_id    TEXT NOT NULL,
                channel_id TEXT NOT NULL,
                drill_id   TEXT NOT NULL,
                origin     INTEGER NOT NULL,
                started_at INTEGER NOT NULL,
                started_by TEXT,
                slot_key   TEXT
            );
            CREATE UNIQUE INDEX ux_breaks_slot ON breaks (platform, team_id, channel_id, slot_key) WHERE slot_key IS NOT NULL;
            CREATE INDEX ix_breaks_channel ON breaks (platform, team_id, channel_id, id);

            CREATE TABLE break_posts (
                break_id    INTEGER NOT NULL REFERENCES breaks (id),
                step        INTEGER NOT NULL,
                claimed_at  INTEGER NOT NULL,
                lease_until INTEGER NOT NULL,
                message_id  TEXT,
                posted_at   INTEGER,
                PRIMARY KEY (break_id, step)
            ) WITHOUT ROWID;

            CREATE TABLE completions (
                id         INTEGER PRIMARY KEY,
                platform   TEXT NOT NULL,
                team_id    TEXT NOT NULL,
                user_id    TEXT NOT NULL,
                channel_id TEXT NOT NULL,
                break_id   INTEGER REFERENCES breaks (id),
                kind       INTEGER NOT NULL,
                at         INTEGER NOT NULL,
                local_day  INTEGER NOT NULL
            );
            CREATE UNIQUE INDEX ux_completions_break ON completions (break_id, user_id) WHERE break_id IS NOT NULL;
            CREATE UNIQUE INDEX ux_completions_self ON completions (platform, team_id, user_id, local_day) WHERE kind = 1;
            CREATE INDEX ix_completions_user ON completions (platform, team_id, user_id, local_day);
            CREATE INDEX ix_completions_channel ON completions (platform, team_id, channel_id, local_day, user_id);

            -- Everyone who took part in a channel's breaks, with their all-time count there.
            CREATE TABLE channel_members (
                platform   TEXT NOT NULL,
                team_id    TEXT NOT NULL,
                channel_id TEXT NOT NULL,
                user_id    TEXT NOT NULL,
                breaks     INTEGER NOT NULL,
                PRIMARY KEY (platform, team_id, channel_id, user_id)
            ) WITHOUT ROWID;

            -- Each person's streak summary, recomputed in SQL from their completions on every new one.
            -- run_end/run_length: the latest run of consecutive workday ordinals (see WorkdaySet.Ordinal).
            CREATE TABLE streaks (
                platform   TEXT NOT NULL,
                team_id    TEXT NOT NULL,
                user_id    TEXT NOT NULL,
                total      INTEGER NOT NULL,
                best       INTEGER NOT NULL,
                run_end    INTEGER,
                run_length INTEGER NOT NULL,
                PRIMARY KEY (platform, team_id, user_id)
            ) WITHOUT ROWID;

            CREATE TABLE settings (
                key   TEXT PRIMARY KEY,
                value TEXT NOT NULL
            ) WITHOUT ROWID;
            """),
        new(2, "channel schedules", """
            -- One row per schedule slot; the channel's zone stays in channels.time_zone.
            -- minute_of_day: 0..1439 in the channel's zone. days: bit mask, bit 0 = Sunday .. bit 6 = Saturday.
            CREATE TABLE schedule_slots (
                platform      TEXT NOT NULL,
                team_id       TEXT NOT NULL,
                channel_id    TEXT NOT NULL,
                minute_of_day INTEGER NOT NULL CHECK (minute_of_day BETWEEN 0 AND 1439),
                days          INTEGER NOT NULL CHECK (days BETWEEN 1 AND 127),
                PRIMARY KEY (platform, team_id, channel_id, minute_of_day),
                FOREIGN KEY (platform, team_id, channel_id) REFERENCES channels (platform, team_id, channel_id)
            ) WITHOUT ROWID;

            -- Which version of a channel's Breaks:Schedules entry was last applied, so chat changes stand
            -- until the configuration itself changes.
            CREATE TABLE schedule_seeds (
                platform    TEXT NOT NULL,
                team_id     TEXT NOT NULL,
                channel_id  TEXT NOT NULL,
                fingerprint TEXT NOT NULL,
                applied_at  INTEGER NOT NULL,
                PRIMARY KEY (platform, team_id, channel_id)
            ) WITHOUT ROWID;
            """),
        new(3, "instances, claim holders, break refusals and ends", """
            -- One row per bot process that ever used this database; last_seen is renewed every few seconds.
            CREATE TABLE instances (
                id         TEXT PRIMARY KEY,
                started_at INTEGER NOT NULL,
                last_seen  INTEGER NOT NULL,
                ended_at   INTEGER
            ) WITHOUT ROWID;

            -- The instance that holds a post's claim (NULL for claims made before this version: lease only).
            ALTER TABLE break_posts ADD COLUMN instance_id TEXT;

            -- A break ends when its last step is posted (finished_at) or a post is refused for good (refused_*).
            ALTER TABLE breaks ADD COLUMN finished_at INTEGER;
            ALTER TABLE breaks ADD COLUMN refused_at INTEGER;
            ALTER TABLE breaks ADD COLUMN refused_step INTEGER;
            ALTER TABLE breaks ADD COLUMN refusal TEXT;
            ALTER TABLE breaks ADD COLUMN refusal_detail TEXT;
            CREATE INDEX ix_breaks_open ON breaks (started_at) WHERE finished_at IS NULL AND refused_at IS NULL;
            """),
        new(4, "weekly digests: per-day index, schedule setting, post claims, on-demand turns", """
            -- The digest counts a channel's completions per local day of the channel's zone: ranges of instants.
            CREATE INDEX ix_completions_channel_at ON completions (platform, team_id, channel_id, at);

            -- A channel's weekly digest setting; no row = on, at the default slot (last workday 16:00).
            -- day_of_week: 0 = Sunday .. 6 = Saturday; minute_of_day in the channel's zone; both NULL = default slot.
            CREATE TABLE digest_settings (
                platform      TEXT NOT NULL,
                team_id       TEXT NOT NULL,
                channel_id    TEXT NOT NULL,
                enabled       INTEGER NOT NULL,
                day_of_week   INTEGER CHECK (day_of_week BETWEEN 0 AND 6),
                minute_of_day INTEGER CHECK (minute_of_day BETWEEN 0 AND 1439),
                PRIMARY KEY (platform, team_id, channel_id)
            ) WITHOUT ROWID;

            -- Claims of scheduled digests, one per channel and period ("week@2026-11-23"), like break_posts.
            CREATE TABLE digest_posts (
                platform    TEXT NOT NULL,
                team_id     TEXT NOT NULL,
                channel_id  TEXT NOT NULL,
                period_key  TEXT NOT NULL,
                claimed_at  INTEGER NOT NULL,
                lease_until INTEGER NOT NULL,
                message_id  TEXT,
                posted_at   INTEGER,
                PRIMARY KEY (platform, team_id, channel_id, period_key)
            ) WITHOUT ROWID;

            -- When each channel last had an on-demand digest (/drill stats), for the rate limit.
            CREATE TABLE digest_requests (
                platform     TEXT NOT NULL,
                team_id      TEXT NOT NULL,
                channel_id   TEXT NOT NULL,
                requested_at INTEGER NOT NULL,
                PRIMARY KEY (platform, team_id, channel_id)
            ) WITHOUT ROWID;
            """),
        new(5, "away days", """
            -- A person's away days (/drill away), one row per local day (days since 1970-01-01, their zone),
            -- keyed like streaks. Days already passed are never deleted: they stay away.
            CREATE TABLE away_days (
                platform  TEXT NOT NULL,
                team_id   TEXT NOT NULL,
                user_id   TEXT NOT NULL,
                local_day INTEGER NOT NULL,
                PRIMARY KEY (platform, team_id, user_id, local_day)
            ) WITHOUT ROWID;
            """),
        new(6, "digest counts read one covering index", """
            -- The digest reads who completed which break when in a channel: with user_id and break_id in the index
            -- it never touches the table (a week of a 1,000-person channel: ~2 ms instead of ~60 ms of row lookups).
            -- It replaces ix_completions_channel_at, its prefix.
            DROP INDEX ix_completions_channel_at;
            CREATE INDEX ix_completions_channel_at_who ON completions (platform, team_id, channel_id, at, user_id, break_id);
            """),
        new(7, "direct messages, snoozes, daily reminders", """
            -- Every direct message, claimed before it is sent and recorded after (like break_posts), keyed by
            -- what it is ("snooze:42:U1", "remind:17"). refused_at: the platform refused it for good.
            CREATE TABLE dm_posts (
                dm_key      TEXT PRIMARY KEY,
                platform    TEXT NOT NULL,
                team_id     TEXT NOT NULL,
                user_id     TEXT NOT NULL,
                claimed_at  INTEGER NOT NULL,
                lease_until INTEGER NOT NULL,
                instance_id TEXT,
                channel_id  TEXT,
                message_id  TEXT,
                posted_at   INTEGER,
                refused_at  INTEGER
            ) WITHOUT ROWID;

            -- A person whose last DM was refused (closed DMs): told once on their next command, then deleted.
            CREATE TABLE dm_refusals (
                platform   TEXT NOT NULL,
                team_id    TEXT NOT NULL,
                user_id    TEXT NOT NULL,
                refused_at INTEGER NOT NULL,
                detail     TEXT NOT NULL,
                PRIMARY KEY (platform, team_id, user_id)
            ) WITHOUT ROWID;

            -- "Remind me in 10 min": one per break and person.
            CREATE TABLE snoozes (
                break_id     INTEGER NOT NULL REFERENCES breaks (id),
                user_id      TEXT NOT NULL,
                platform     TEXT NOT NULL,
                team_id      TEXT NOT NULL,
                display_name TEXT NOT NULL,
                due_at       INTEGER NOT NULL,
                PRIMARY KEY (break_id, user_id)
            ) WITHOUT ROWID;

            -- /drill remind HH:MM: the local time, the zone it is computed in and its next occurrence
            -- (next_day: days since 1970-01-01 in that zone; next_due_at: Unix ms), which the minute pass reads by index.
            CREATE TABLE reminders (
                platform      TEXT NOT NULL,
                team_id       TEXT NOT NULL,
                user_id       TEXT NOT NULL,
                display_name  TEXT NOT NULL,
                minute_of_day INTEGER NOT NULL CHECK (minute_of_day BETWEEN 0 AND 1439),
                time_zone     TEXT NOT NULL,
                next_day      INTEGER NOT NULL,
                next_due_at   INTEGER NOT NULL,
                PRIMARY KEY (platform, team_id, user_id)
            ) WITHOUT ROWID;
            CREATE INDEX ix_reminders_due ON reminders (next_due_at);

            -- The reminders sent: at most one per person and local day; drill_id drives their own rotation.
            CREATE TABLE reminder_sends (
                id           INTEGER PRIMARY KEY,
                platform     TEXT NOT NULL,
                team_id      TEXT NOT NULL,
                user_id      TEXT NOT NULL,
                display_name TEXT NOT NULL,
                local_day    INTEGER NOT NULL,
                drill_id     TEXT NOT NULL,
                UNIQUE (platform, team_id, user_id, local_day)
            );
            """),
        new(8, "daily reminders resend a failed DM", """
            -- The occurrence a sent reminder was for (Unix ms; NULL for rows from before this version): the minute
            -- pass resends the ones of the last Breaks:CatchUpWindow whose DM failed, read by this index.
            ALTER TABLE reminder_sends ADD COLUMN due_at INTEGER;
            CREATE INDEX ix_reminder_sends_due ON reminder_sends (due_at);
            """),
        new(9, "shared inbound de-duplication, Discord shard leases", """
            -- Inbound deliveries (Slack envelope ids) claimed by an instance, so a delivery Slack gives again to
            -- another instance runs once. handled_at is set once handled; expired rows (Unix ms) are purged.
            CREATE TABLE inbound_claims (
                key         TEXT PRIMARY KEY,
                instance_id TEXT NOT NULL,
                expires_at  INTEGER NOT NULL,
                handled_at  INTEGER
            ) WITHOUT ROWID;
            CREATE INDEX ix_inbound_claims_expires ON inbound_claims (expires_at);

            -- Instances running Discord shards (membership) and which one holds each shard, both until expires_at
            -- (Unix ms) unless renewed.
            CREATE TABLE discord_shard_members (
                instance_id TEXT PRIMARY KEY,
                expires_at  INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE TABLE discord_shard_leases (
                shard_id    INTEGER NOT NULL,
                instance_id TEXT NOT NULL,
                expires_at  INTEGER NOT NULL,
                PRIMARY KEY (shard_id)
            ) WITHOUT ROWID;

            -- When each IDENTIFY rate-limit bucket (shard_id % max_concurrency) is free again (Unix ms), for all instances.
            CREATE TABLE discord_identify_slots (
                bucket  INTEGER NOT NULL,
                free_at INTEGER NOT NULL,
                PRIMARY KEY (bucket)
            ) WITHOUT ROWID;
            """),
        new(10, "leaderboards read the longest streaks first", """
            -- A board reads streaks from the longest down and stops once its places are settled, instead of joining
            -- every participant's streak (10,000 people: ~15 ms on PostgreSQL, see bench/ChatBot.Bench).
            CREATE INDEX ix_streaks_run ON streaks (platform, team_id, run_length, run_end, best, user_id);
            """),
    ];
}
