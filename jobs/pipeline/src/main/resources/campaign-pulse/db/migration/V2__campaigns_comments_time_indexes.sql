-- V2: the campaigns dimension, a description of every table and column for BI tools (COMMENT ON),
-- and indexes on the time columns dashboards filter on.

-- Campaigns as the 'campaigns' topic last described them (compacted topic, upserted on
-- campaign_id), so misfire, suppression and roll-up rows can be read with names, owners, offers
-- and periods without reading Kafka.
CREATE TABLE IF NOT EXISTS campaigns (
    campaign_id      text        PRIMARY KEY,
    name             text        NOT NULL,
    offer_type       text        NOT NULL,
    offer_product_id text,
    channel          text        NOT NULL,
    owner            text,
    starts_at        timestamptz NOT NULL,
    ends_at          timestamptz,
    updated_at       timestamptz NOT NULL
);

CREATE INDEX IF NOT EXISTS misfires_by_sent_at ON misfires (sent_at);
CREATE INDEX IF NOT EXISTS alerts_by_detected_at ON alerts (detected_at);
CREATE INDEX IF NOT EXISTS dead_letters_by_detected_at ON dead_letters (detected_at);
CREATE INDEX IF NOT EXISTS suppressions_by_changed_at ON suppressions (changed_at);
CREATE INDEX IF NOT EXISTS control_audit_by_issued_at ON control_audit (issued_at);
CREATE INDEX IF NOT EXISTS feedback_scores_by_occurred_at ON feedback_scores (occurred_at);
CREATE INDEX IF NOT EXISTS campaign_stats_by_window_end ON campaign_stats (window_end);

COMMENT ON TABLE campaigns IS 'One row per campaign, as the campaigns topic last described it. Key campaign_id; updated when the campaign record changes.';
COMMENT ON COLUMN campaigns.campaign_id IS 'The campaign''s id, as in every other table.';
COMMENT ON COLUMN campaigns.name IS 'Display name.';
COMMENT ON COLUMN campaigns.offer_type IS 'ACQUISITION | CROSS_SELL | UPSELL | RETENTION | WINBACK | SERVICE (SERVICE messages are not promotional).';
COMMENT ON COLUMN campaigns.offer_product_id IS 'The product offered; null when none.';
COMMENT ON COLUMN campaigns.channel IS 'EMAIL | SMS | PUSH | DIRECT_MAIL | IN_APP | PHONE.';
COMMENT ON COLUMN campaigns.owner IS 'Who runs the campaign; alerts are routed to them.';
COMMENT ON COLUMN campaigns.starts_at IS 'Start of the campaign period.';
COMMENT ON COLUMN campaigns.ends_at IS 'End of the campaign period; null when open-ended.';
COMMENT ON COLUMN campaigns.updated_at IS 'When the campaign record was last changed at its source.';

COMMENT ON TABLE misfires IS 'One row per send and misfire rule it broke; append-only (a replay rewrites the same rows). Key (send_id, rule).';
COMMENT ON COLUMN misfires.send_id IS 'The misfiring send.';
COMMENT ON COLUMN misfires.rule IS 'ALREADY_HOLDS_PRODUCT | ACQUISITION_TO_EXISTING_CUSTOMER | NO_CONSENT | DUPLICATE_SEND | FREQUENCY_CAP | OPEN_COMPLAINT.';
COMMENT ON COLUMN misfires.campaign_id IS 'The send''s campaign (see campaigns).';
COMMENT ON COLUMN misfires.customer_id IS 'The recipient.';
COMMENT ON COLUMN misfires.detail IS 'What was found, e.g. customer holds CARD-PLAT (active since ...).';
COMMENT ON COLUMN misfires.sent_at IS 'When the send went out (event time).';
COMMENT ON COLUMN misfires.detected_at IS 'Event time the send was judged: sent_at, or later when its campaign arrived late.';

COMMENT ON TABLE alerts IS 'One row per alert incident holding its latest message (the alerts topic has every message). Key alert_id; updated on every UPDATED or RESOLVED message.';
COMMENT ON COLUMN alerts.alert_id IS 'Deterministic per kind, campaign, rule and start of the window that opened the incident.';
COMMENT ON COLUMN alerts.kind IS 'MISFIRE_RATE | SENTIMENT_DROP | TICKET_SURGE.';
COMMENT ON COLUMN alerts.severity IS 'INFO | WARNING | CRITICAL: the highest the incident reached.';
COMMENT ON COLUMN alerts.campaign_id IS 'The campaign (see campaigns).';
COMMENT ON COLUMN alerts.campaign_name IS 'Its name when the message was written.';
COMMENT ON COLUMN alerts.title IS 'One line: what happened and how big it is.';
COMMENT ON COLUMN alerts.detail IS 'Evidence, the incident''s counts and the suggested action.';
COMMENT ON COLUMN alerts.metrics IS 'The figures as JSON, e.g. {"misfires": 124, "sends": 980, "share": 0.127, "count_total": 310}.';
COMMENT ON COLUMN alerts.window_start IS 'Start of the window that opened the incident.';
COMMENT ON COLUMN alerts.window_end IS 'End of the latest window the incident covers.';
COMMENT ON COLUMN alerts.detected_at IS 'Event time of the latest message.';
COMMENT ON COLUMN alerts.state IS 'OPENED | UPDATED | RESOLVED: the latest message''s.';
COMMENT ON COLUMN alerts.sequence IS 'Messages so far (1 = opened).';
COMMENT ON COLUMN alerts.owner IS 'The campaign''s owner, for routing.';
COMMENT ON COLUMN alerts.rule IS 'The misfire rule of a MISFIRE_RATE incident; null for other kinds.';
COMMENT ON COLUMN alerts.count_total IS 'Misfires over the incident; feedback or tickets in its latest window.';
COMMENT ON COLUMN alerts.count_since_last IS 'How much count_total grew since the previous message.';
COMMENT ON COLUMN alerts.example_ids IS 'A few send or feedback ids (JSON array).';
COMMENT ON COLUMN alerts.example_customer_ids IS 'A few customers (JSON array); the full list is in misfires.';
COMMENT ON COLUMN alerts.suggested_action IS 'What marketing ops should do.';

COMMENT ON TABLE dead_letters IS 'Records that could not be processed, with where they came from and why; append-only. Key (source_topic, source_partition, source_offset, reason).';
COMMENT ON COLUMN dead_letters.source_topic IS 'Input topic (or replay file).';
COMMENT ON COLUMN dead_letters.source_partition IS 'Kafka partition; 0 for a replay file.';
COMMENT ON COLUMN dead_letters.source_offset IS 'Kafka offset, or 1-based line of a replay file.';
COMMENT ON COLUMN dead_letters.reason IS 'DECODE_ERROR | MISSING_FIELD | UNKNOWN_ENUM | INVALID_VALUE | INVALID_TIMESTAMP | UNKNOWN_CAMPAIGN | LATE_EVENT | DELIVERY_FAILED.';
COMMENT ON COLUMN dead_letters.key IS 'The record''s Kafka key.';
COMMENT ON COLUMN dead_letters.payload IS 'The raw record (at most 256 KiB), as it was read.';
COMMENT ON COLUMN dead_letters.detail IS 'Why, without the record''s content.';
COMMENT ON COLUMN dead_letters.detected_at IS 'Wall-clock time the record was refused.';

COMMENT ON TABLE suppressions IS 'The live suppression list: do not send campaign_id to customer_id while active. Key (campaign_id, customer_id, reason); updated when the reason ends (active = false).';
COMMENT ON COLUMN suppressions.campaign_id IS 'The campaign not to send (see campaigns).';
COMMENT ON COLUMN suppressions.customer_id IS 'The customer not to send it to.';
COMMENT ON COLUMN suppressions.reason IS 'ALREADY_HOLDS_PRODUCT | ACQUISITION_TO_EXISTING_CUSTOMER | NO_CONSENT | OPEN_COMPLAINT.';
COMMENT ON COLUMN suppressions.active IS 'True while the reason holds.';
COMMENT ON COLUMN suppressions.since IS 'When the misfiring send went out.';
COMMENT ON COLUMN suppressions.send_id IS 'The misfiring send.';
COMMENT ON COLUMN suppressions.changed_at IS 'Event time of the latest change.';
COMMENT ON COLUMN suppressions.retracted_at IS 'When the reason ended; null while active.';
COMMENT ON COLUMN suppressions.detail IS 'The evidence, or what ended it.';

COMMENT ON TABLE control_audit IS 'Every control message the job read (pulse control): accepted ones changed the alert settings in force. Key control_id; written once.';
COMMENT ON COLUMN control_audit.control_id IS 'The message''s id.';
COMMENT ON COLUMN control_audit.scope IS 'GLOBAL | KIND | CAMPAIGN.';
COMMENT ON COLUMN control_audit.target IS 'The alert kind or campaign_id; null for GLOBAL.';
COMMENT ON COLUMN control_audit.settings IS 'The settings as JSON, e.g. {"mute": "true"}; an empty value resets a setting.';
COMMENT ON COLUMN control_audit.author IS 'Who sent it.';
COMMENT ON COLUMN control_audit.reason IS 'Why, in the author''s words.';
COMMENT ON COLUMN control_audit.issued_at IS 'When it was sent.';
COMMENT ON COLUMN control_audit.accepted IS 'Whether it changed the settings.';
COMMENT ON COLUMN control_audit.rejection IS 'Why it was refused; null when accepted.';

COMMENT ON TABLE feedback_scores IS 'Every scored ticket message and review, with the campaign it counts for; append-only. Key feedback_id.';
COMMENT ON COLUMN feedback_scores.feedback_id IS 'review_id, or ticket_id@occurred_at-millis for a ticket message.';
COMMENT ON COLUMN feedback_scores.kind IS 'TICKET | REVIEW.';
COMMENT ON COLUMN feedback_scores.customer_id IS 'The customer; null for an anonymous review.';
COMMENT ON COLUMN feedback_scores.campaign_id IS 'The campaign it counts for; null = the baseline only.';
COMMENT ON COLUMN feedback_scores.attributed_by IS 'EXPLICIT | LAST_SEND | TICKET | NONE: how the campaign was found.';
COMMENT ON COLUMN feedback_scores.score IS 'Sentiment in [-1, 1]; null without text, rating or CSAT.';
COMMENT ON COLUMN feedback_scores.score_source IS 'TEXT | RATING | CSAT | NONE.';
COMMENT ON COLUMN feedback_scores.rating IS 'Review stars, 1-5.';
COMMENT ON COLUMN feedback_scores.csat IS 'Ticket CSAT, 1-5.';
COMMENT ON COLUMN feedback_scores.scorer_version IS 'Which scorer produced the score.';
COMMENT ON COLUMN feedback_scores.occurred_at IS 'When the message or review was written (event time).';

COMMENT ON TABLE campaign_stats IS 'Per-campaign figures in hopping event-time windows (rollups.window, sliding rollups.slide), next to the baseline of all feedback in the same window. Key (campaign_id, window_end); written once per window, when it is complete.';
COMMENT ON COLUMN campaign_stats.campaign_id IS 'The campaign (see campaigns).';
COMMENT ON COLUMN campaign_stats.window_end IS 'End of the window (exclusive).';
COMMENT ON COLUMN campaign_stats.window_start IS 'Start of the window.';
COMMENT ON COLUMN campaign_stats.campaign_name IS 'Its name when the window was written.';
COMMENT ON COLUMN campaign_stats.sends IS 'Sends in the window.';
COMMENT ON COLUMN campaign_stats.misfires IS 'Misfire records (a send can break several rules).';
COMMENT ON COLUMN campaign_stats.misfired_sends IS 'Sends that broke at least one rule: misfired_sends / sends is the misfire rate.';
COMMENT ON COLUMN campaign_stats.last_sent_at IS 'The campaign''s latest send in the window; null without sends.';
COMMENT ON COLUMN campaign_stats.misfires_by_rule IS 'Misfires per rule as JSON, e.g. {"ALREADY_HOLDS_PRODUCT": 124}.';
COMMENT ON COLUMN campaign_stats.conversions IS 'Recipients who opened the offered product within attribution.conversion-window after their send.';
COMMENT ON COLUMN campaign_stats.feedback IS 'Ticket messages and reviews attributed to the campaign.';
COMMENT ON COLUMN campaign_stats.tickets IS 'Tickets opened.';
COMMENT ON COLUMN campaign_stats.tickets_from_window_sends IS 'Tickets opened by recipients of this window''s sends.';
COMMENT ON COLUMN campaign_stats.reviews IS 'Reviews attributed to the campaign.';
COMMENT ON COLUMN campaign_stats.avg_sentiment IS 'Mean score in [-1, 1] of the scored feedback; null without any.';
COMMENT ON COLUMN campaign_stats.negative_share IS 'Share of scored feedback at or below -0.05.';
COMMENT ON COLUMN campaign_stats.positive_share IS 'Share of scored feedback at or above 0.05.';
COMMENT ON COLUMN campaign_stats.avg_rating IS 'Mean review stars, 1-5.';
COMMENT ON COLUMN campaign_stats.avg_csat IS 'Mean ticket CSAT, 1-5.';
COMMENT ON COLUMN campaign_stats.tickets_per_1000_sends IS 'tickets_from_window_sends per 1,000 sends; null without sends.';
COMMENT ON COLUMN campaign_stats.baseline_feedback IS 'All feedback in the window, attributed or not.';
COMMENT ON COLUMN campaign_stats.baseline_avg_sentiment IS 'Mean score of all feedback in the window.';
COMMENT ON COLUMN campaign_stats.baseline_negative_share IS 'Share of all scored feedback in the window at or below -0.05.';
COMMENT ON COLUMN campaign_stats.baseline_tickets_per_1000_sends IS 'Tickets per 1,000 sends over all campaigns in the window.';
COMMENT ON COLUMN campaign_stats.sample_negative_feedback_ids IS 'Up to two negative feedback ids (JSON array; see feedback_scores), never texts.';
COMMENT ON COLUMN campaign_stats.scorer_version IS 'Which scorer produced the scores.';

COMMENT ON VIEW campaign_scorecard IS 'One row per campaign that has sent: the figures of the window ending just after its latest send, with rates and the sentiment trend.';
