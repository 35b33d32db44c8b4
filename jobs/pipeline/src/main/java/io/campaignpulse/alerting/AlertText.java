package io.campaignpulse.alerting;

import io.campaignpulse.contract.MisfireRule;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/** The words of misfire alerts: written for a marketing-ops reader, one rule at a time. */
final class AlertText {

    private static final DateTimeFormatter HOUR =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);

    private AlertText() {}

    static String title(
            MisfireRule rule,
            String campaign,
            String product,
            long misfires,
            long sends,
            long windowStart,
            long windowEnd) {
        String figures = String.format(
                Locale.ROOT,
                "%,d of %,d sends (%s) %s",
                misfires,
                sends,
                percent(misfires, sends),
                span(windowStart, windowEnd));
        return switch (rule) {
            case ALREADY_HOLDS_PRODUCT ->
                campaign + " is reaching current holders of " + (product == null ? "its product" : product) + ": "
                        + figures;
            case ACQUISITION_TO_EXISTING_CUSTOMER ->
                campaign + " is sending an acquisition offer to existing customers: " + figures;
            case NO_CONSENT -> campaign + " reached customers who opted out: " + figures;
            case DUPLICATE_SEND -> campaign + " sent the same campaign twice: " + figures;
            case FREQUENCY_CAP -> campaign + " pushed customers over the contact-frequency cap: " + figures;
            case OPEN_COMPLAINT -> campaign + " is promoting to customers with an open angry complaint: " + figures;
            default -> campaign + ": " + rule + " misfires, " + figures;
        };
    }

    /**
     * What an incident's RESOLVED message says happened since its last window: the rule's misfires
     * in the sends of the all-clear windows since then.
     */
    static String allClearTitle(
            MisfireRule rule, String campaign, String product, long misfires, long sends, long since) {
        String stopped = switch (rule) {
            case ALREADY_HOLDS_PRODUCT ->
                "no longer reaching current holders of " + (product == null ? "its product" : product);
            case ACQUISITION_TO_EXISTING_CUSTOMER -> "no longer sending its acquisition offer to existing customers";
            case NO_CONSENT -> "no longer reaching customers who opted out";
            case DUPLICATE_SEND -> "no longer sending the same campaign twice";
            case FREQUENCY_CAP -> "no longer pushing customers over the contact-frequency cap";
            case OPEN_COMPLAINT -> "no longer promoting to customers with an open angry complaint";
            default -> "no longer tripping " + rule;
        };
        String figures = sends == 0
                ? "no sends since " + time(since) + " UTC"
                : misfires == 0
                        ? String.format(Locale.ROOT, "none of its %,d sends since %s UTC", sends, time(since))
                        : String.format(
                                Locale.ROOT,
                                "%,d of its %,d sends (%s) since %s UTC, below the alert threshold",
                                misfires,
                                sends,
                                percent(misfires, sends),
                                time(since));
        return campaign + " is " + stopped + ": " + figures;
    }

    static String detail(
            MisfireRule rule,
            String campaignId,
            String campaign,
            String product,
            String channel,
            long misfires,
            long sends,
            double shareThreshold,
            int minCount,
            List<String> exampleSends,
            List<String> exampleCustomers,
            String exampleDetail) {
        String rulePart = switch (rule) {
            case ALREADY_HOLDS_PRODUCT ->
                "The offered product was already active for the customer when the send went out.";
            case ACQUISITION_TO_EXISTING_CUSTOMER ->
                "An acquisition offer went to customers who already hold an active product.";
            case NO_CONSENT ->
                "The customer's latest consent change for the channel said opted out. Consent breaches are critical from the first one.";
            case DUPLICATE_SEND -> "The customer had already received this campaign within the duplicate window.";
            case FREQUENCY_CAP ->
                "The customer received more promotional sends in the trailing window than the cap allows.";
            case OPEN_COMPLAINT -> "A promotion went to a customer with an open, negative support ticket.";
            default -> "Rule " + rule + ".";
        };
        StringBuilder examples = new StringBuilder();
        for (int i = 0; i < exampleSends.size(); i++) {
            examples.append(i == 0 ? "" : ", ")
                    .append("send ")
                    .append(exampleSends.get(i))
                    .append(" to customer ")
                    .append(exampleCustomers.get(i));
        }
        String threshold = rule == MisfireRule.NO_CONSENT
                ? "Raised on the first occurrence."
                : String.format(
                        Locale.ROOT,
                        "Threshold: %s of the campaign's sends and at least %d misfires.",
                        percent(shareThreshold),
                        minCount);
        return String.format(
                Locale.ROOT,
                "Rule %s. %s %,d of the campaign's %,d sends in the window broke it (%s). %s "
                        + "Examples: %s (the first: %s). The full list is in the misfires table (campaign_id = '%s'). "
                        + "Suggested action: %s",
                rule,
                rulePart,
                misfires,
                sends,
                percent(misfires, sends),
                threshold,
                examples,
                exampleDetail,
                campaignId,
                action(rule, campaignId, campaign, product, channel));
    }

    static String action(MisfireRule rule, String campaignId, String campaign, String product, String channel) {
        String c = campaign + " (" + campaignId + ")";
        return switch (rule) {
            case ALREADY_HOLDS_PRODUCT ->
                "exclude current holders of product " + (product == null ? "the offered product" : product)
                        + " from campaign " + c + ".";
            case ACQUISITION_TO_EXISTING_CUSTOMER ->
                "restrict campaign " + c + " to prospects without an active product, or change its offer type.";
            case NO_CONSENT ->
                "pause campaign " + c + " on " + channel
                        + " now and rebuild its audience from the current consent feed.";
            case DUPLICATE_SEND -> "de-duplicate the audience of campaign " + c + " by customer before the next batch.";
            case FREQUENCY_CAP ->
                "apply the contact-frequency cap to campaign " + c + "'s audience, or move it to a quieter day.";
            case OPEN_COMPLAINT ->
                "exclude customers with an open negative ticket from campaign " + c
                        + " until their complaint is resolved.";
            default -> "review campaign " + c + ".";
        };
    }

    static String percent(long part, long whole) {
        return whole == 0 ? "0 %" : percent((double) part / whole);
    }

    static String percent(double share) {
        return String.format(Locale.ROOT, "%.1f %%", share * 100);
    }

    static String time(long at) {
        return HOUR.format(Instant.ofEpochMilli(at));
    }

    /** "2 h", "90 min", "1 d". */
    static String duration(long ms) {
        if (ms % 86_400_000 == 0) {
            return ms / 86_400_000 + " d";
        }
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + " h";
        }
        return Math.max(1, ms / 60_000) + " min";
    }

    static String span(long start, long end) {
        boolean sameDay = start / 86_400_000 == end / 86_400_000; // a window ending at midnight names the next day
        return "between " + HOUR.format(Instant.ofEpochMilli(start)) + " and "
                + (sameDay ? TIME : HOUR).format(Instant.ofEpochMilli(end)) + " UTC";
    }
}
