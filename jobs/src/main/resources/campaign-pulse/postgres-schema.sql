-- Campaign Pulse output tables. Every table has a primary key that the job upserts on, so a
-- replay or a restart from a checkpoint never duplicates a row. Timestamps are timestamptz (UTC).

-- One row per send and broken rule.
CREATE TABLE IF NOT EXISTS misfires (
    send_id      text        NOT NULL,
    rule         text        NOT NULL,  -- ALREADY_HOLDS_PRODUCT | ACQUISITION_TO_EXISTING_CUSTOMER | NO_CONSENT | DUPLICATE_SEND | FREQUENCY_CAP
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
    kind          text        NOT NULL,  -- MISFIRE_RATE
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
