package io.campaignpulse.alerting;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.campaignpulse.contract.Alert;
import io.campaignpulse.contract.AlertState;
import io.campaignpulse.contract.Severity;
import io.campaignpulse.ingest.AvroJson;
import java.io.Serializable;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * An alert message as each kind of receiver wants it: the generic JSON (the alert's fields with
 * a Slack-style "text"), Slack Block Kit, a Microsoft Teams Adaptive Card (Workflows webhook),
 * Google Chat and Discord text messages, and PagerDuty Events API v2. Every format says what
 * happened, how big it is, what to do, links to the campaign's page when
 * {@code routing.campaign-url} is set, and says how to mute it.
 */
public final class AlertMessages implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Slack: header text at most 150 characters, a section's text 3,000, a field's 2,000, 10 fields. */
    static final int SLACK_HEADER = 150;

    static final int SLACK_TEXT = 3000;
    static final int SLACK_FIELDS = 10;
    /** Google Chat: a message's text at most 4,096 characters; Discord's content 2,000. */
    static final int GOOGLE_CHAT_TEXT = 4096;

    static final int DISCORD_CONTENT = 2000;
    /** PagerDuty: a summary at most 1,024 characters. */
    static final int PAGERDUTY_SUMMARY = 1024;

    private final String campaignUrl;

    /** @param campaignUrl the campaign page, {campaign_id} replaced; empty for no link */
    public AlertMessages(String campaignUrl) {
        this.campaignUrl = campaignUrl == null ? "" : campaignUrl;
    }

    /** The body for a webhook of {@code format} (a config value); {@code token} is PagerDuty's routing key. */
    public byte[] body(Alert a, String format, String token) {
        ObjectNode json = switch (format) {
            case "slack" -> slack(a);
            case "teams" -> teams(a);
            case "google-chat" -> text("text", a, GOOGLE_CHAT_TEXT);
            case "discord" -> text("content", a, DISCORD_CONTENT);
            case "pagerduty" -> pagerDuty(a, token);
            default -> generic(a);
        };
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The campaign's page, or null. */
    String link(Alert a) {
        return campaignUrl.isEmpty()
                ? null
                : campaignUrl.replace("{campaign_id}", URLEncoder.encode(a.getCampaignId(), StandardCharsets.UTF_8));
    }

    /** How to silence this campaign's alerts of this kind, as a command. */
    static String muteCommand(Alert a) {
        return "pulse control --campaign " + a.getCampaignId() + " --mute --reason \"...\"";
    }

    static String headline(Alert a) {
        return String.format(Locale.ROOT, "[%s] %s: %s", a.getSeverity(), a.getState(), a.getTitle());
    }

    /** The numbers: counts, the alert's metrics, the window. */
    static Map<String, String> numbers(Alert a) {
        Map<String, String> n = new java.util.LinkedHashMap<>();
        n.put("Severity", a.getSeverity().name());
        n.put("Kind", a.getKind().name() + (a.getRule() == null ? "" : " / " + a.getRule()));
        n.put("Count", a.getCountTotal() + " (+" + a.getCountSinceLast() + " since the last message)");
        new TreeMap<>(a.getMetrics())
                .forEach((k, v) -> n.put(
                        k, v == Math.rint(v) ? Long.toString(v.longValue()) : String.format(Locale.ROOT, "%.3f", v)));
        n.put("Window", a.getWindowStart() + " to " + a.getWindowEnd());
        if (a.getOwner() != null) {
            n.put("Owner", a.getOwner());
        }
        return n;
    }

    /**
     * The message as plain text within {@code limit} characters: a long detail is what gets cut,
     * never the headline, the numbers, the action, the link or the way to mute.
     */
    String plainText(Alert a, int limit) {
        String head = headline(a) + "\n";
        StringBuilder tail = new StringBuilder();
        numbers(a).forEach((k, v) -> tail.append('\n').append(k).append(": ").append(v));
        if (!a.getSuggestedAction().isEmpty()) {
            tail.append("\nSuggested action: ").append(a.getSuggestedAction());
        }
        String link = link(a);
        if (link != null) {
            tail.append("\nCampaign: ").append(link);
        }
        tail.append("\nMute: ").append(muteCommand(a));
        int room = limit - head.length() - tail.length();
        return cut(head + (room > 1 ? cut(a.getDetail(), room) : "") + tail, limit);
    }

    /** Google Chat's and Discord's plain message: one field, within the receiver's limit. */
    private ObjectNode text(String field, Alert a, int limit) {
        ObjectNode json = AvroJson.MAPPER.createObjectNode();
        json.put(field, plainText(a, limit));
        return json;
    }

    private static String colour(Alert a) {
        if (a.getState() == AlertState.RESOLVED) {
            return "#2eb67d";
        }
        return a.getSeverity() == Severity.CRITICAL
                ? "#e01e5a"
                : a.getSeverity() == Severity.WARNING ? "#ecb22e" : "#36c5f0";
    }

    private ObjectNode slack(Alert a) {
        ObjectNode json = AvroJson.MAPPER.createObjectNode();
        json.put("text", cut(headline(a), SLACK_TEXT)); // the notification's fallback
        ObjectNode attachment = json.putArray("attachments").addObject();
        attachment.put("color", colour(a));
        ArrayNode blocks = attachment.putArray("blocks");
        ObjectNode header = blocks.addObject().put("type", "header");
        header.putObject("text").put("type", "plain_text").put("text", cut(headline(a), SLACK_HEADER));
        ObjectNode section = blocks.addObject().put("type", "section");
        section.putObject("text")
                .put("type", "mrkdwn")
                .put("text", cut(a.getDetail().isEmpty() ? a.getTitle() : a.getDetail(), SLACK_TEXT));
        ArrayNode fields = section.putArray("fields");
        List<Map.Entry<String, String>> numbers = new ArrayList<>(numbers(a).entrySet());
        for (int i = 0; i < numbers.size() && i < SLACK_FIELDS; i++) {
            fields.addObject()
                    .put("type", "mrkdwn")
                    .put(
                            "text",
                            cut(
                                    "*" + numbers.get(i).getKey() + "*\n"
                                            + numbers.get(i).getValue(),
                                    2000));
        }
        if (!a.getSuggestedAction().isEmpty()) {
            blocks.addObject()
                    .put("type", "section")
                    .putObject("text")
                    .put("type", "mrkdwn")
                    .put("text", cut("*Suggested action*\n" + a.getSuggestedAction(), SLACK_TEXT));
        }
        blocks.addObject()
                .put("type", "context")
                .putArray("elements")
                .addObject()
                .put("type", "mrkdwn")
                .put("text", cut("To mute: `" + muteCommand(a) + "`", SLACK_TEXT));
        String link = link(a);
        if (link != null) {
            ObjectNode button = blocks.addObject()
                    .put("type", "actions")
                    .putArray("elements")
                    .addObject();
            button.put("type", "button").put("url", link);
            button.putObject("text").put("type", "plain_text").put("text", "Open campaign");
        }
        return json;
    }

    private ObjectNode teams(Alert a) {
        ObjectNode json = AvroJson.MAPPER.createObjectNode();
        json.put("type", "message");
        ObjectNode attachment = json.putArray("attachments").addObject();
        attachment.put("contentType", "application/vnd.microsoft.card.adaptive");
        attachment.putNull("contentUrl");
        ObjectNode card = attachment.putObject("content");
        card.put("$schema", "http://adaptivecards.io/schemas/adaptive-card.json");
        card.put("type", "AdaptiveCard");
        card.put("version", "1.4");
        ArrayNode body = card.putArray("body");
        body.addObject()
                .put("type", "TextBlock")
                .put("text", headline(a))
                .put("weight", "Bolder")
                .put("size", "Medium")
                .put("wrap", true)
                .put(
                        "color",
                        a.getState() == AlertState.RESOLVED
                                ? "Good"
                                : a.getSeverity() == Severity.CRITICAL ? "Attention" : "Warning");
        body.addObject().put("type", "TextBlock").put("text", a.getDetail()).put("wrap", true);
        ArrayNode facts = body.addObject().put("type", "FactSet").putArray("facts");
        numbers(a).forEach((k, v) -> facts.addObject().put("title", k).put("value", v));
        if (!a.getSuggestedAction().isEmpty()) {
            body.addObject()
                    .put("type", "TextBlock")
                    .put("text", "Suggested action: " + a.getSuggestedAction())
                    .put("wrap", true);
        }
        body.addObject()
                .put("type", "TextBlock")
                .put("text", "To mute: " + muteCommand(a))
                .put("wrap", true)
                .put("isSubtle", true);
        String link = link(a);
        if (link != null) {
            card.putArray("actions")
                    .addObject()
                    .put("type", "Action.OpenUrl")
                    .put("title", "Open campaign")
                    .put("url", link);
        }
        return json;
    }

    private ObjectNode pagerDuty(Alert a, String routingKey) {
        ObjectNode json = AvroJson.MAPPER.createObjectNode();
        json.put("routing_key", routingKey == null ? "" : routingKey);
        json.put("dedup_key", a.getAlertId());
        if (a.getState() == AlertState.RESOLVED) {
            json.put("event_action", "resolve");
            return json;
        }
        json.put("event_action", "trigger");
        ObjectNode payload = json.putObject("payload");
        payload.put("summary", cut(headline(a), PAGERDUTY_SUMMARY));
        payload.put("source", "campaign-pulse");
        payload.put(
                "severity",
                a.getSeverity() == Severity.CRITICAL
                        ? "critical"
                        : a.getSeverity() == Severity.WARNING ? "warning" : "info");
        payload.put("timestamp", a.getDetectedAt().toString());
        payload.put("component", a.getCampaignId());
        if (a.getOwner() != null) {
            payload.put("group", a.getOwner());
        }
        payload.put("class", a.getKind().name());
        ObjectNode details = payload.putObject("custom_details");
        details.put("detail", a.getDetail());
        numbers(a).forEach(details::put);
        details.put("suggested_action", a.getSuggestedAction());
        details.put("mute", muteCommand(a));
        details.put("message", a.getSequence());
        String link = link(a);
        if (link != null) {
            json.putArray("links").addObject().put("href", link).put("text", "Campaign " + a.getCampaignId());
        }
        return json;
    }

    /** Today's generic body: the alert's fields with a Slack-compatible "text". */
    ObjectNode generic(Alert a) {
        ObjectNode json = WebhookDelivery.genericBody(a);
        String link = link(a);
        if (link != null) {
            json.put("campaign_url", link);
        }
        json.put("mute", muteCommand(a));
        return json;
    }

    private static String cut(String s, int limit) {
        return s.length() <= limit ? s : s.substring(0, limit - 1) + "…";
    }
}
