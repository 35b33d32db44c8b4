-- V3: the campaign scorecard reflects what is known now, says how sure it is, carries the
-- campaign's lifetime totals, and has a trend from the first day.

-- The scorecard's settings: one row. 'pulse migrate' and 'pulse run' write
-- postgres.scorecard-min-feedback into it; BI may change it too (UPDATE scorecard_settings ...).
CREATE TABLE IF NOT EXISTS scorecard_settings (
    id           boolean PRIMARY KEY DEFAULT true CHECK (id),
    min_feedback integer NOT NULL CHECK (min_feedback >= 1)
);
INSERT INTO scorecard_settings (id, min_feedback) VALUES (true, 20) ON CONFLICT (id) DO NOTHING;
COMMENT ON TABLE scorecard_settings IS 'One row: how the campaign_scorecard view judges its figures.';
COMMENT ON COLUMN scorecard_settings.id IS 'Always true: the table has one row.';
COMMENT ON COLUMN scorecard_settings.min_feedback IS 'Below this much feedback in its window, a campaign''s sentiment is shown as insufficient data (postgres.scorecard-min-feedback).';

-- The columns of the earlier scorecard keep their names and types (their window is now the latest
-- complete one); the new ones follow them.
CREATE OR REPLACE VIEW campaign_scorecard AS
WITH settings AS (
    SELECT min_feedback FROM scorecard_settings
), data_now AS (
    -- The newest event time the tables know: windows ending later were only closed because a
    -- bounded run (a replay, the demo) ended, and would still be growing in a live one.
    SELECT greatest((SELECT max(last_sent_at) FROM campaign_stats),
                    (SELECT max(occurred_at) FROM feedback_scores)) AS at
), latest AS (
    -- The latest window that ended by then; a campaign with none yet shows its first window.
    SELECT DISTINCT ON (s.campaign_id) s.*
    FROM campaign_stats s, data_now
    ORDER BY s.campaign_id,
             s.window_end <= data_now.at DESC,
             CASE WHEN s.window_end <= data_now.at THEN s.window_end END DESC NULLS LAST,
             s.window_end
), lifetime AS (
    -- Windows that start on a multiple of their length tile time: summed, each event counts once.
    SELECT campaign_id,
           sum(sends) AS sends, sum(misfired_sends) AS misfired_sends, sum(misfires) AS misfires,
           sum(conversions) AS conversions, sum(tickets) AS tickets, sum(reviews) AS reviews,
           min(window_start) AS first_window_start
    FROM campaign_stats
    WHERE (extract(epoch FROM window_start) * 1000)::bigint
          % (extract(epoch FROM window_end - window_start) * 1000)::bigint = 0
    GROUP BY campaign_id
), lifetime_rules AS (
    SELECT campaign_id, jsonb_object_agg(rule, n) AS misfires_by_rule
    FROM (SELECT campaign_id, rule, count(*) AS n FROM misfires GROUP BY campaign_id, rule) r
    GROUP BY campaign_id
), lifetime_feedback AS (
    SELECT campaign_id, avg(score) AS avg_sentiment, count(score) AS scored
    FROM feedback_scores WHERE campaign_id IS NOT NULL GROUP BY campaign_id
), judged AS (
    SELECT l.*,
           l.feedback >= st.min_feedback AND l.avg_sentiment IS NOT NULL AS sufficient,
           st.min_feedback,
           p.avg_sentiment AS p_avg_sentiment,
           p.feedback >= st.min_feedback AND p.avg_sentiment IS NOT NULL AS p_sufficient
    FROM latest l
    CROSS JOIN settings st
    LEFT JOIN campaign_stats p
           ON p.campaign_id = l.campaign_id
          AND p.window_end = l.window_end - (l.window_end - l.window_start)
)
SELECT j.campaign_id,
       j.campaign_name,
       j.window_start,
       j.window_end,
       j.last_sent_at,
       j.sends,
       j.misfires,
       j.misfired_sends,
       CASE WHEN j.sends > 0 THEN j.misfired_sends::double precision / j.sends END          AS misfire_rate,
       j.misfires_by_rule,
       j.conversions,
       CASE WHEN j.sends > 0 THEN j.conversions::double precision / j.sends END             AS conversion_rate,
       j.feedback,
       j.tickets,
       j.tickets_per_1000_sends,
       j.baseline_tickets_per_1000_sends,
       CASE WHEN j.sufficient THEN j.avg_sentiment END                                      AS avg_sentiment,
       j.baseline_avg_sentiment,
       CASE WHEN j.sufficient THEN j.avg_sentiment - j.baseline_avg_sentiment END           AS sentiment_vs_baseline,
       CASE WHEN j.p_sufficient THEN j.p_avg_sentiment END                                  AS previous_avg_sentiment,
       CASE WHEN NOT j.sufficient THEN NULL
            WHEN j.p_sufficient THEN j.avg_sentiment - j.p_avg_sentiment
            ELSE j.avg_sentiment - j.baseline_avg_sentiment END                             AS sentiment_trend,
       CASE WHEN NOT j.sufficient THEN 'insufficient data'
            WHEN (CASE WHEN j.p_sufficient THEN j.avg_sentiment - j.p_avg_sentiment
                       ELSE j.avg_sentiment - j.baseline_avg_sentiment END) <= -0.05 THEN 'falling'
            WHEN (CASE WHEN j.p_sufficient THEN j.avg_sentiment - j.p_avg_sentiment
                       ELSE j.avg_sentiment - j.baseline_avg_sentiment END) >= 0.05 THEN 'rising'
            ELSE 'steady' END                                                               AS sentiment_direction,
       j.negative_share,
       j.avg_rating,
       j.avg_csat,
       j.scorer_version,
       CASE WHEN j.sufficient THEN 'ok'
            WHEN j.feedback >= j.min_feedback THEN 'insufficient data: no scored feedback'
            ELSE 'insufficient data: ' || j.feedback || ' feedback, fewer than ' || j.min_feedback END AS sentiment_confidence,
       CASE WHEN NOT j.sufficient THEN NULL
            WHEN j.p_sufficient THEN 'previous window'
            ELSE 'baseline' END                                                             AS trend_basis,
       lt.sends                                                                             AS lifetime_sends,
       lt.misfired_sends                                                                    AS lifetime_misfired_sends,
       CASE WHEN lt.sends > 0 THEN lt.misfired_sends::double precision / lt.sends END       AS lifetime_misfire_rate,
       coalesce(lr.misfires_by_rule, '{}'::jsonb)                                           AS lifetime_misfires_by_rule,
       lt.conversions                                                                       AS lifetime_conversions,
       lt.tickets                                                                           AS lifetime_tickets,
       lt.reviews                                                                           AS lifetime_reviews,
       lf.avg_sentiment                                                                     AS lifetime_avg_sentiment,
       coalesce(lf.scored, 0)                                                               AS lifetime_scored_feedback,
       lt.first_window_start                                                                AS lifetime_since
FROM judged j
LEFT JOIN lifetime lt ON lt.campaign_id = j.campaign_id
LEFT JOIN lifetime_rules lr ON lr.campaign_id = j.campaign_id
LEFT JOIN lifetime_feedback lf ON lf.campaign_id = j.campaign_id;

COMMENT ON VIEW campaign_scorecard IS 'One row per campaign: its latest complete roll-up window (the one its latest alerts were judged on), sentiment only with enough feedback (scorecard_settings), a trend against the previous window of the same length or else the baseline, and lifetime totals (within the tables'' retention).';
