package io.campaignpulse.sink;

import static io.campaignpulse.sink.OutputTable.ColumnType.BIGINT;
import static io.campaignpulse.sink.OutputTable.ColumnType.BOOLEAN;
import static io.campaignpulse.sink.OutputTable.ColumnType.BYTES;
import static io.campaignpulse.sink.OutputTable.ColumnType.DOUBLE;
import static io.campaignpulse.sink.OutputTable.ColumnType.INT;
import static io.campaignpulse.sink.OutputTable.ColumnType.JSON;
import static io.campaignpulse.sink.OutputTable.ColumnType.TEXT;
import static io.campaignpulse.sink.OutputTable.ColumnType.TIMESTAMP;

import io.campaignpulse.attribution.AttributedFeedback;
import io.campaignpulse.contract.Alert;
import io.campaignpulse.contract.Campaign;
import io.campaignpulse.contract.CampaignStats;
import io.campaignpulse.contract.ControlAudit;
import io.campaignpulse.contract.DeadLetter;
import io.campaignpulse.contract.Misfire;
import io.campaignpulse.contract.Suppression;
import io.campaignpulse.ingest.AvroJson;
import java.time.Instant;
import java.util.List;
import java.util.TreeMap;

/**
 * The PostgreSQL output tables, one declaration each (see the migrations in db/migration, whose
 * COMMENT ON says what each column means). Maps are written as JSON with sorted keys, so a re-written row is identical.
 */
public final class PostgresTables {

    /** The campaigns dimension: one row per campaign, as the campaigns topic last described it. */
    public static final OutputTable<Campaign> CAMPAIGNS = OutputTable.<Campaign>named("campaigns")
            .key("campaign_id", TEXT, Campaign::getCampaignId)
            .column("name", TEXT, Campaign::getName)
            .column("offer_type", TEXT, Campaign::getOfferType)
            .column("offer_product_id", TEXT, Campaign::getOfferProductId)
            .column("channel", TEXT, Campaign::getChannel)
            .column("owner", TEXT, Campaign::getOwner)
            .column("starts_at", TIMESTAMP, Campaign::getStartsAt)
            .column("ends_at", TIMESTAMP, Campaign::getEndsAt)
            .column("updated_at", TIMESTAMP, Campaign::getUpdatedAt)
            .build();

    /** One row per send and broken rule. */
    public static final OutputTable<Misfire> MISFIRES = OutputTable.<Misfire>named("misfires")
            .key("send_id", TEXT, Misfire::getSendId)
            .key("rule", TEXT, Misfire::getRule)
            .column("campaign_id", TEXT, Misfire::getCampaignId)
            .column("customer_id", TEXT, Misfire::getCustomerId)
            .column("detail", TEXT, Misfire::getDetail)
            .column("sent_at", TIMESTAMP, Misfire::getSentAt)
            .column("detected_at", TIMESTAMP, Misfire::getDetectedAt)
            .build();

    /** One row per incident: each message upserts it, so the row holds the incident's latest state. */
    public static final OutputTable<Alert> ALERTS = OutputTable.<Alert>named("alerts")
            .key("alert_id", TEXT, Alert::getAlertId)
            .column("kind", TEXT, Alert::getKind)
            .column("severity", TEXT, Alert::getSeverity)
            .column("campaign_id", TEXT, Alert::getCampaignId)
            .column("campaign_name", TEXT, Alert::getCampaignName)
            .column("title", TEXT, Alert::getTitle)
            .column("detail", TEXT, Alert::getDetail)
            .column("metrics", JSON, a -> json(new TreeMap<>(a.getMetrics())))
            .column("window_start", TIMESTAMP, Alert::getWindowStart)
            .column("window_end", TIMESTAMP, Alert::getWindowEnd)
            .column("detected_at", TIMESTAMP, Alert::getDetectedAt)
            .column("state", TEXT, Alert::getState)
            .column("sequence", INT, Alert::getSequence)
            .column("owner", TEXT, Alert::getOwner)
            .column("rule", TEXT, Alert::getRule)
            .column("count_total", BIGINT, Alert::getCountTotal)
            .column("count_since_last", BIGINT, Alert::getCountSinceLast)
            .column("example_ids", JSON, a -> json(a.getExampleIds()))
            .column("example_customer_ids", JSON, a -> json(a.getExampleCustomerIds()))
            .column("suggested_action", TEXT, Alert::getSuggestedAction)
            .build();

    public static final OutputTable<DeadLetter> DEAD_LETTERS = OutputTable.<DeadLetter>named("dead_letters")
            .key("source_topic", TEXT, DeadLetter::getSourceTopic)
            .key("source_partition", INT, DeadLetter::getSourcePartition)
            .key("source_offset", BIGINT, DeadLetter::getSourceOffset)
            .key("reason", TEXT, DeadLetter::getReason)
            .column("key", BYTES, DeadLetter::getKey)
            .column("payload", BYTES, DeadLetter::getPayload)
            .column("detail", TEXT, DeadLetter::getDetail)
            .column("detected_at", TIMESTAMP, DeadLetter::getDetectedAt)
            .build();

    public static final OutputTable<CampaignStats> CAMPAIGN_STATS = OutputTable.<CampaignStats>named("campaign_stats")
            .key("campaign_id", TEXT, CampaignStats::getCampaignId)
            .key("window_end", TIMESTAMP, CampaignStats::getWindowEnd)
            .column("window_start", TIMESTAMP, CampaignStats::getWindowStart)
            .column("campaign_name", TEXT, CampaignStats::getCampaignName)
            .column("sends", BIGINT, CampaignStats::getSends)
            .column("misfires", BIGINT, CampaignStats::getMisfires)
            .column("misfires_by_rule", JSON, s -> json(new TreeMap<>(s.getMisfiresByRule())))
            .column("conversions", BIGINT, CampaignStats::getConvertedRecipients)
            .column("feedback", BIGINT, CampaignStats::getFeedback)
            .column("tickets", BIGINT, CampaignStats::getTickets)
            .column("reviews", BIGINT, CampaignStats::getReviews)
            .column("avg_sentiment", DOUBLE, CampaignStats::getAvgSentiment)
            .column("negative_share", DOUBLE, CampaignStats::getNegativeShare)
            .column("positive_share", DOUBLE, CampaignStats::getPositiveShare)
            .column("avg_rating", DOUBLE, CampaignStats::getAvgRating)
            .column("avg_csat", DOUBLE, CampaignStats::getAvgCsat)
            .column("tickets_per_1000_sends", DOUBLE, CampaignStats::getTicketsPer1000Sends)
            .column("baseline_feedback", BIGINT, CampaignStats::getBaselineFeedback)
            .column("baseline_avg_sentiment", DOUBLE, CampaignStats::getBaselineAvgSentiment)
            .column("baseline_negative_share", DOUBLE, CampaignStats::getBaselineNegativeShare)
            .column("baseline_tickets_per_1000_sends", DOUBLE, CampaignStats::getBaselineTicketsPer1000Sends)
            .column("sample_negative_feedback_ids", JSON, s -> json(s.getSampleNegativeFeedbackIds()))
            .column("scorer_version", TEXT, CampaignStats::getScorerVersion)
            .column("misfired_sends", BIGINT, CampaignStats::getMisfiredSends)
            .column("last_sent_at", TIMESTAMP, CampaignStats::getLastSentAt)
            .column("tickets_from_window_sends", BIGINT, CampaignStats::getTicketsFromWindowSends)
            .build();

    /** One row per entry, upserted: a retraction sets active = false and retracted_at. */
    public static final OutputTable<Suppression> SUPPRESSIONS = OutputTable.<Suppression>named("suppressions")
            .key("campaign_id", TEXT, Suppression::getCampaignId)
            .key("customer_id", TEXT, Suppression::getCustomerId)
            .key("reason", TEXT, Suppression::getReason)
            .column("active", BOOLEAN, Suppression::getActive)
            .column("since", TIMESTAMP, Suppression::getSince)
            .column("send_id", TEXT, Suppression::getSendId)
            .column("changed_at", TIMESTAMP, Suppression::getChangedAt)
            .column("retracted_at", TIMESTAMP, s -> s.getActive() ? null : s.getChangedAt())
            .column("detail", TEXT, Suppression::getDetail)
            .build();

    /** One row per control message (its id is the key), accepted or rejected. */
    public static final OutputTable<ControlAudit> CONTROL_AUDIT = OutputTable.<ControlAudit>named("control_audit")
            .key("control_id", TEXT, ControlAudit::getControlId)
            .column("scope", TEXT, ControlAudit::getScope)
            .column("target", TEXT, ControlAudit::getTarget)
            .column("settings", JSON, a -> json(new TreeMap<>(a.getSettings())))
            .column("author", TEXT, ControlAudit::getAuthor)
            .column("reason", TEXT, ControlAudit::getReason)
            .column("issued_at", TIMESTAMP, ControlAudit::getIssuedAt)
            .column("accepted", BOOLEAN, ControlAudit::getAccepted)
            .column("rejection", TEXT, ControlAudit::getRejection)
            .build();

    public static final OutputTable<AttributedFeedback> FEEDBACK_SCORES = OutputTable.<AttributedFeedback>named(
                    "feedback_scores")
            .key("feedback_id", TEXT, AttributedFeedback::getFeedbackId)
            .column("kind", TEXT, AttributedFeedback::getKind)
            .column("customer_id", TEXT, AttributedFeedback::getCustomerId)
            .column("campaign_id", TEXT, AttributedFeedback::getCampaignId)
            .column("attributed_by", TEXT, AttributedFeedback::getAttributedBy)
            .column("score", DOUBLE, AttributedFeedback::getScore)
            .column("score_source", TEXT, AttributedFeedback::getScoreSource)
            .column("rating", INT, AttributedFeedback::getRating)
            .column("csat", INT, AttributedFeedback::getCsat)
            .column("scorer_version", TEXT, AttributedFeedback::getScorerVersion)
            .column("occurred_at", TIMESTAMP, f -> Instant.ofEpochMilli(f.getOccurredAt()))
            .build();

    /** Every output table, for the schema check. */
    public static final List<OutputTable<?>> ALL = List.of(
            CAMPAIGNS, MISFIRES, ALERTS, DEAD_LETTERS, CAMPAIGN_STATS, SUPPRESSIONS, CONTROL_AUDIT, FEEDBACK_SCORES);

    private PostgresTables() {}

    private static String json(Object value) throws Exception {
        return AvroJson.MAPPER.writeValueAsString(value);
    }
}
