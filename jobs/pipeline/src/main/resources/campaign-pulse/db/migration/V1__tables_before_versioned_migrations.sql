-- V1: the output tables as the releases before versioned migrations created them
-- (postgres-schema.sql, run with CREATE ... IF NOT EXISTS at every start). Idempotent, so it also
-- brings a database of any of those releases to the last one's shape: tables that are missing are
-- created, and columns added by later releases are added (ALTER ... ADD COLUMN IF NOT EXISTS).
-- A database that already has these tables is baselined at version 0, so this runs on it too.

-- Campaign Pulse output tables. Every table has a primary key that the job upserts on, so a
-- replay or a restart from a checkpoint never duplicates a row. Timestamps are timestamptz (UTC).

-- One row per send and broken rule.
CREATE TABLE IF NOT EXISTS misfires (
    send_id      text        NOT NULL,
    rule         text        NOT NULL,  -- ALREADY_HOLDS_PRODUCT | ACQUISITION_TO_EXISTING_CUSTOMER | NO_CONSENT | DUPLICATE_SEND | FREQUENCY_CAP | OPEN_COMPLAINT
    campaign_id  text        NOT NULL,
    customer_id  text        NOT NULL,
    detail       text        NOT NULL,  -- what was found, e.g. 'customer holds CARD-PLAT (active since ...)'
    sent_at      timestamptz NOT NULL,
    detected_at  timestamptz NOT NULL,  -- event time the send was judged (sent_at, or later when its campaign arrived late)
    PRIMARY KEY (send_id, rule)
);
CREATE INDEX IF NOT EXISTS misfires_by_campaign ON misfires (campaign_id, sent_at);

-- Campaign-level alert incidents, one row per incident holding its latest message (the Kafka
-- topic 'alerts' has every message). alert_id is deterministic per (kind, campaign, rule, start
-- of the window that opened the incident).
CREATE TABLE IF NOT EXISTS alerts (
    alert_id             text        PRIMARY KEY,
    kind                 text        NOT NULL,  -- MISFIRE_RATE | SENTIMENT_DROP | TICKET_SURGE
    severity             text        NOT NULL,  -- INFO | WARNING | CRITICAL (the highest the incident reached)
    campaign_id          text        NOT NULL,
    campaign_name        text        NOT NULL,
    title                text        NOT NULL,
    detail               text        NOT NULL,  -- evidence, the incident's counts and the suggested action
    metrics              jsonb       NOT NULL,  -- e.g. {"misfires": 124, "sends": 980, "share": 0.127, "count_total": 310, ...}
    window_start         timestamptz NOT NULL,  -- start of the window that opened the incident
    window_end           timestamptz NOT NULL,  -- end of the latest window it covers
    detected_at          timestamptz NOT NULL,  -- event time of the latest message
    state                text        NOT NULL,  -- OPENED | UPDATED | RESOLVED
    sequence             integer     NOT NULL,  -- messages so far (1 = opened)
    owner                text,                  -- the campaign's owner, for routing
    rule                 text,                  -- the misfire rule of a MISFIRE_RATE incident
    count_total          bigint      NOT NULL,  -- misfires over the incident; feedback or tickets in its latest window
    count_since_last     bigint      NOT NULL,
    example_ids          jsonb       NOT NULL,  -- a few send or feedback ids
    example_customer_ids jsonb       NOT NULL,  -- a few customers; the full list is in misfires
    suggested_action     text        NOT NULL
);
CREATE INDEX IF NOT EXISTS alerts_by_campaign ON alerts (campaign_id, window_start);

-- Alerts became incidents (one row per incident, its latest message) after the first release.
ALTER TABLE alerts
    ADD COLUMN IF NOT EXISTS state                text    NOT NULL DEFAULT 'OPENED',
    ADD COLUMN IF NOT EXISTS sequence             integer NOT NULL DEFAULT 1,
    ADD COLUMN IF NOT EXISTS owner                text,
    ADD COLUMN IF NOT EXISTS rule                 text,
    ADD COLUMN IF NOT EXISTS count_total          bigint  NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS count_since_last     bigint  NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS example_ids          jsonb   NOT NULL DEFAULT '[]',
    ADD COLUMN IF NOT EXISTS example_customer_ids jsonb   NOT NULL DEFAULT '[]',
    ADD COLUMN IF NOT EXISTS suggested_action     text    NOT NULL DEFAULT '';
ALTER TABLE alerts
    ALTER COLUMN state DROP DEFAULT, ALTER COLUMN sequence DROP DEFAULT,
    ALTER COLUMN count_total DROP DEFAULT, ALTER COLUMN count_since_last DROP DEFAULT,
    ALTER COLUMN example_ids DROP DEFAULT, ALTER COLUMN example_customer_ids DROP DEFAULT,
    ALTER COLUMN suggested_action DROP DEFAULT;

-- Records that could not be processed, with where they came from and why.
CREATE TABLE IF NOT EXISTS dead_letters (
    source_topic     text        NOT NULL,
    source_partition integer     NOT NULL,
    source_offset    bigint      NOT NULL,  -- Kafka offset, or 1-based line of a replay file
    reason           text        NOT NULL,  -- DECODE_ERROR | MISSING_FIELD | UNKNOWN_ENUM | INVALID_VALUE | INVALID_TIMESTAMP | UNKNOWN_CAMPAIGN | LATE_EVENT | DELIVERY_FAILED
    key              bytea,
    payload          bytea,                 -- the raw record
    detail           text        NOT NULL,
    detected_at      timestamptz NOT NULL,
    PRIMARY KEY (source_topic, source_partition, source_offset, reason)
);

-- The live suppression list: do not send campaign_id to customer_id while active. Opened by a
-- preventable misfire; retracted (active = false, retracted_at set) when the reason ends.
CREATE TABLE IF NOT EXISTS suppressions (
    campaign_id  text        NOT NULL,
    customer_id  text        NOT NULL,
    reason       text        NOT NULL,  -- ALREADY_HOLDS_PRODUCT | ACQUISITION_TO_EXISTING_CUSTOMER | NO_CONSENT | OPEN_COMPLAINT
    active       boolean     NOT NULL,
    since        timestamptz NOT NULL,  -- when the misfiring send went out
    send_id      text        NOT NULL,  -- the misfiring send
    changed_at   timestamptz NOT NULL,  -- event time of the latest change
    retracted_at timestamptz,           -- when the reason ended; null while active
    detail       text        NOT NULL,  -- the evidence, or what ended it
    PRIMARY KEY (campaign_id, customer_id, reason)
);
CREATE INDEX IF NOT EXISTS suppressions_active ON suppressions (campaign_id) WHERE active;

-- Every control message the job read ('pulse control'): accepted ones changed the settings in
-- force, rejected ones did not (the rejection says why).
CREATE TABLE IF NOT EXISTS control_audit (
    control_id text        PRIMARY KEY,
    scope      text        NOT NULL,  -- GLOBAL | KIND | CAMPAIGN
    target     text,                  -- the alert kind or campaign_id
    settings   jsonb       NOT NULL,  -- e.g. {"mute": "true"} or {"misfire-rate-share": "0.02"}; "" resets a setting
    author     text        NOT NULL,
    reason     text,
    issued_at  timestamptz NOT NULL,
    accepted   boolean     NOT NULL,
    rejection  text
);

-- Every scored ticket message and review, with the campaign it counts for.
CREATE TABLE IF NOT EXISTS feedback_scores (
    feedback_id    text        PRIMARY KEY,  -- review_id, or ticket_id@occurred_at-millis for a ticket message
    kind           text        NOT NULL,     -- TICKET | REVIEW
    customer_id    text,                     -- null for an anonymous review
    campaign_id    text,                     -- null: counts toward the baseline only
    attributed_by  text        NOT NULL,     -- EXPLICIT | LAST_SEND | TICKET | NONE
    score          double precision,         -- [-1, 1]; null when there was neither text nor rating/CSAT
    score_source   text        NOT NULL,     -- TEXT | RATING | CSAT | NONE
    rating         integer,                  -- review stars, 1-5
    csat           integer,                  -- ticket CSAT, 1-5
    scorer_version text        NOT NULL,     -- which scorer produced the score
    occurred_at    timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_scores_by_campaign ON feedback_scores (campaign_id, occurred_at);

-- Per-campaign roll-ups in hopping windows (rollups.window, sliding rollups.slide), written once
-- each window is complete; the baseline columns cover all feedback and sends in the same window.
CREATE TABLE IF NOT EXISTS campaign_stats (
    campaign_id                     text        NOT NULL,
    window_end                      timestamptz NOT NULL,
    window_start                    timestamptz NOT NULL,
    campaign_name                   text,
    sends                           bigint      NOT NULL,
    misfires                        bigint      NOT NULL,  -- misfire records (a send can break several rules)
    misfired_sends                  bigint      NOT NULL,  -- sends that broke at least one rule
    last_sent_at                    timestamptz,           -- the campaign's latest send in the window
    misfires_by_rule                jsonb       NOT NULL,  -- e.g. {"ALREADY_HOLDS_PRODUCT": 124, "NO_CONSENT": 3}
    conversions                     bigint      NOT NULL,  -- recipients who opened the offered product within attribution.conversion-window
    feedback                        bigint      NOT NULL,  -- attributed ticket messages and reviews
    tickets                         bigint      NOT NULL,  -- tickets opened
    tickets_from_window_sends       bigint      NOT NULL,  -- tickets opened by recipients of this window's sends
    reviews                         bigint      NOT NULL,
    avg_sentiment                   double precision,      -- [-1, 1], null without scored feedback
    negative_share                  double precision,      -- share of scored feedback <= -0.05
    positive_share                  double precision,      -- share of scored feedback >= 0.05
    avg_rating                      double precision,      -- review stars, 1-5
    avg_csat                        double precision,      -- ticket CSAT, 1-5
    tickets_per_1000_sends          double precision,      -- tickets_from_window_sends per 1,000 sends; null without sends
    baseline_feedback               bigint      NOT NULL,
    baseline_avg_sentiment          double precision,
    baseline_negative_share         double precision,
    baseline_tickets_per_1000_sends double precision,
    sample_negative_feedback_ids    jsonb       NOT NULL,  -- up to two feedback ids (see feedback_scores), never texts
    scorer_version                  text        NOT NULL,
    PRIMARY KEY (campaign_id, window_end)
);

-- Roll-up columns added by later releases (the view below needs them).
ALTER TABLE campaign_stats
    ADD COLUMN IF NOT EXISTS misfired_sends            bigint NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS last_sent_at              timestamptz,
    ADD COLUMN IF NOT EXISTS tickets_from_window_sends bigint NOT NULL DEFAULT 0;
ALTER TABLE campaign_stats
    ALTER COLUMN misfired_sends DROP DEFAULT, ALTER COLUMN tickets_from_window_sends DROP DEFAULT;

-- One row per campaign that has sent, for BI: the window that ends just after its latest send,
-- i.e. its latest full window of sending (for a running campaign the current window; for one
-- that has stopped, the day up to its last send rather than the emptier windows after it); the
-- misfire rate (sends that broke any rule, per send); and the sentiment trend (that window
-- against the window one full window length earlier).
-- Earlier releases' scorecards had other columns, which CREATE OR REPLACE cannot change.
DROP VIEW IF EXISTS campaign_scorecard;
CREATE VIEW campaign_scorecard AS
WITH last_send AS (
    SELECT campaign_id, max(last_sent_at) AS last_sent_at FROM campaign_stats GROUP BY campaign_id
), latest AS (
    SELECT DISTINCT ON (s.campaign_id) s.*
    FROM campaign_stats s JOIN last_send ls ON ls.campaign_id = s.campaign_id
    WHERE s.window_end > ls.last_sent_at
    ORDER BY s.campaign_id, s.window_end
)
SELECT l.campaign_id,
       l.campaign_name,
       l.window_start,
       l.window_end,
       l.last_sent_at,
       l.sends,
       l.misfires,
       l.misfired_sends,
       CASE WHEN l.sends > 0 THEN l.misfired_sends::double precision / l.sends END      AS misfire_rate,
       l.misfires_by_rule,
       l.conversions,
       CASE WHEN l.sends > 0 THEN l.conversions::double precision / l.sends END         AS conversion_rate,
       l.feedback,
       l.tickets,
       l.tickets_per_1000_sends,
       l.baseline_tickets_per_1000_sends,
       l.avg_sentiment,
       l.baseline_avg_sentiment,
       l.avg_sentiment - l.baseline_avg_sentiment                                        AS sentiment_vs_baseline,
       p.avg_sentiment                                                                   AS previous_avg_sentiment,
       l.avg_sentiment - p.avg_sentiment                                                 AS sentiment_trend,
       CASE WHEN l.avg_sentiment IS NULL OR p.avg_sentiment IS NULL THEN 'unknown'
            WHEN l.avg_sentiment - p.avg_sentiment <= -0.05 THEN 'falling'
            WHEN l.avg_sentiment - p.avg_sentiment >= 0.05 THEN 'rising'
            ELSE 'steady' END                                                            AS sentiment_direction,
       l.negative_share,
       l.avg_rating,
       l.avg_csat,
       l.scorer_version
FROM latest l
LEFT JOIN campaign_stats p
       ON p.campaign_id = l.campaign_id
      AND p.window_end = l.window_end - (l.window_end - l.window_start);
