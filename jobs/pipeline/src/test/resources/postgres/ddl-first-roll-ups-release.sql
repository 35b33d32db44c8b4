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

-- Campaign-level alerts; alert_id is deterministic per (kind, campaign, rule, window).
CREATE TABLE IF NOT EXISTS alerts (
    alert_id      text        PRIMARY KEY,
    kind          text        NOT NULL,  -- MISFIRE_RATE | SENTIMENT_DROP | TICKET_SURGE
    severity      text        NOT NULL,  -- INFO | WARNING | CRITICAL
    campaign_id   text        NOT NULL,
    campaign_name text        NOT NULL,
    title         text        NOT NULL,
    detail        text        NOT NULL,  -- evidence and the suggested action
    metrics       jsonb       NOT NULL,  -- e.g. {"misfires": 124, "sends": 980, "share": 0.127, ...}
    window_start  timestamptz NOT NULL,
    window_end    timestamptz NOT NULL,
    detected_at   timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS alerts_by_campaign ON alerts (campaign_id, window_start);

-- Records that could not be processed, with where they came from and why.
CREATE TABLE IF NOT EXISTS dead_letters (
    source_topic     text        NOT NULL,
    source_partition integer     NOT NULL,
    source_offset    bigint      NOT NULL,  -- Kafka offset, or 1-based line of a replay file
    reason           text        NOT NULL,  -- DECODE_ERROR | MISSING_FIELD | UNKNOWN_ENUM | INVALID_VALUE | UNKNOWN_CAMPAIGN | LATE_EVENT
    key              bytea,
    payload          bytea,                 -- the raw record
    detail           text        NOT NULL,
    detected_at      timestamptz NOT NULL,
    PRIMARY KEY (source_topic, source_partition, source_offset, reason)
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
    misfires                        bigint      NOT NULL,
    misfires_by_rule                jsonb       NOT NULL,  -- e.g. {"ALREADY_HOLDS_PRODUCT": 124, "NO_CONSENT": 3}
    conversions                     bigint      NOT NULL,  -- recipients who opened the offered product within attribution.conversion-window
    feedback                        bigint      NOT NULL,  -- attributed ticket messages and reviews
    tickets                         bigint      NOT NULL,  -- tickets opened
    reviews                         bigint      NOT NULL,
    avg_sentiment                   double precision,      -- [-1, 1], null without scored feedback
    negative_share                  double precision,      -- share of scored feedback <= -0.05
    positive_share                  double precision,      -- share of scored feedback >= 0.05
    avg_rating                      double precision,      -- review stars, 1-5
    avg_csat                        double precision,      -- ticket CSAT, 1-5
    tickets_per_1000_sends          double precision,      -- null without sends
    baseline_feedback               bigint      NOT NULL,
    baseline_avg_sentiment          double precision,
    baseline_negative_share         double precision,
    baseline_tickets_per_1000_sends double precision,
    sample_negative_feedback_ids    jsonb       NOT NULL,  -- up to two feedback ids (see feedback_scores), never texts
    scorer_version                  text        NOT NULL,
    PRIMARY KEY (campaign_id, window_end)
);

-- One row per campaign, for BI: its latest complete window, the misfire rate, and the sentiment
-- trend (latest window against the window one full window length earlier).
CREATE OR REPLACE VIEW campaign_scorecard AS
SELECT l.campaign_id,
       l.campaign_name,
       l.window_start,
       l.window_end,
       l.sends,
       l.misfires,
       CASE WHEN l.sends > 0 THEN l.misfires::double precision / l.sends END            AS misfire_rate,
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
FROM (SELECT DISTINCT ON (campaign_id) * FROM campaign_stats ORDER BY campaign_id, window_end DESC) l
LEFT JOIN campaign_stats p
       ON p.campaign_id = l.campaign_id
      AND p.window_end = l.window_end - (l.window_end - l.window_start);
