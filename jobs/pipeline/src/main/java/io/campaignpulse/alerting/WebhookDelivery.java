package io.campaignpulse.alerting;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.contract.Alert;
import io.campaignpulse.contract.DeadLetter;
import io.campaignpulse.contract.DeadLetterReason;
import io.campaignpulse.ingest.AvroJson;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * POSTs alert messages to webhooks with Flink's asynchronous I/O: each attempt has
 * {@code routing.timeout}, a failed one (no answer, an error, a non-2xx status) is retried up to
 * {@code routing.max-attempts} with doubling backoff, and a message that still fails becomes a
 * DELIVERY_FAILED dead letter with the last error. Emits only those dead letters. Because the
 * calls are asynchronous (unordered, at most {@code routing.max-in-flight} in flight), a slow
 * endpoint never stalls the pipeline.
 *
 * <p>Delivery is at least once: after a restart, messages in flight at the last checkpoint are
 * sent again. Every body carries the alert id and sequence, and the Idempotency-Key header
 * both, so a receiver can drop repeats.
 */
public class WebhookDelivery extends RichAsyncFunction<WebhookCall, DeadLetter> {

    private final PulseConfig.Routing routing;

    private transient HttpClient client;
    private transient Map<String, PulseConfig.Webhook> byName;
    /** Each webhook's URL, parsed once; absent when it is not a valid URL. */
    private transient Map<String, URI> uris;

    private transient AlertMessages messages;
    private transient Counter delivered;
    private transient Counter failed;
    private transient Counter retries;

    public WebhookDelivery(PulseConfig.Routing routing) {
        this.routing = routing;
    }

    /** The limit for one message, all attempts and backoffs included (Flink's async timeout). */
    public static long totalTimeoutMs(PulseConfig.Routing r) {
        long total = 0;
        long backoff = r.backoff().toMillis();
        for (int attempt = 1; attempt <= r.maxAttempts(); attempt++) {
            total += r.timeout().toMillis() + (attempt < r.maxAttempts() ? backoff << (attempt - 1) : 0);
        }
        return total + 1000;
    }

    @Override
    public void open(OpenContext openContext) {
        client = HttpClient.newBuilder().connectTimeout(routing.timeout()).build();
        messages = new AlertMessages(routing.campaignUrl());
        byName = new HashMap<>();
        uris = new HashMap<>();
        routing.webhooks().forEach(w -> {
            byName.put(w.name(), w);
            URI uri = w.uri();
            if (uri != null) {
                uris.put(w.name(), uri);
            }
        });
        var metrics = getRuntimeContext().getMetricGroup();
        delivered = metrics.counter("webhookDeliveries");
        failed = metrics.counter("webhookFailures");
        retries = metrics.counter("webhookRetries");
    }

    @Override
    public void asyncInvoke(WebhookCall call, ResultFuture<DeadLetter> result) {
        attempt(call, body(call), 1, result, new AtomicBoolean());
    }

    /** The message in the format of the call's webhook. */
    private byte[] body(WebhookCall call) {
        PulseConfig.Webhook w = byName.get(call.getWebhook());
        return w == null
                ? messages.body(call.getAlert(), "generic", null)
                : messages.body(call.getAlert(), w.format(), w.token());
    }

    private void attempt(
            WebhookCall call, byte[] body, int attempt, ResultFuture<DeadLetter> result, AtomicBoolean done) {
        PulseConfig.Webhook w = byName.get(call.getWebhook());
        Alert a = call.getAlert();
        URI uri = uris.get(call.getWebhook());
        HttpRequest request;
        try {
            if (uri == null) {
                throw new IllegalArgumentException("not a valid http(s) URL");
            }
            HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
                    .timeout(routing.timeout())
                    .header("Content-Type", "application/json")
                    .header("Idempotency-Key", a.getAlertId() + "#" + a.getSequence())
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            // PagerDuty's routing key travels in the body; other receivers take a bearer token.
            if (w.token() != null && !w.token().isEmpty() && !w.format().equals("pagerduty")) {
                builder.header("Authorization", "Bearer " + w.token());
            }
            request = builder.build();
        } catch (IllegalArgumentException e) {
            // A request that cannot be made will not be made by retrying: one dead letter, and never
            // the message, which can quote the URL or the token (the webhook's secrets).
            if (done.compareAndSet(false, true)) {
                failed.inc();
                result.complete(List.of(deadLetter(
                        call, "the webhook's URL or token cannot make an HTTP request; check its configuration")));
            }
            return;
        }
        client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
            String problem = error != null
                    ? describe(error)
                    : response.statusCode() / 100 == 2 ? null : "HTTP " + response.statusCode();
            if (problem == null) {
                if (done.compareAndSet(false, true)) {
                    delivered.inc();
                    result.complete(List.of());
                }
            } else if (attempt < routing.maxAttempts()) {
                retries.inc();
                long delay = routing.backoff().toMillis() << (attempt - 1);
                CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS)
                        .execute(() -> attempt(call, body, attempt + 1, result, done));
            } else if (done.compareAndSet(false, true)) {
                failed.inc();
                result.complete(List.of(
                        deadLetter(call, problem + " after " + attempt + " attempt" + (attempt == 1 ? "" : "s"))));
            }
        });
    }

    @Override
    public void timeout(WebhookCall call, ResultFuture<DeadLetter> result) {
        // Flink's own limit for the message: record it rather than fail the job.
        failed.inc();
        result.complete(List.of(deadLetter(call, "no successful answer within " + totalTimeoutMs(routing) + " ms")));
    }

    private static String describe(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return cause instanceof HttpTimeoutException
                ? "timed out"
                : cause.getClass().getSimpleName();
    }

    /** Never the URL (a chat webhook's URL is its secret) nor the token: only the webhook's name. */
    private static DeadLetter deadLetter(WebhookCall call, String problem) {
        Alert a = call.getAlert();
        String identity = a.getAlertId() + "#" + a.getSequence() + "#" + call.getWebhook();
        return DeadLetter.newBuilder()
                .setSourceTopic("webhook:" + call.getWebhook())
                .setSourcePartition(0)
                .setSourceOffset(UUID.nameUUIDFromBytes(identity.getBytes(StandardCharsets.UTF_8))
                        .getMostSignificantBits())
                .setKey(ByteBuffer.wrap(a.getAlertId().getBytes(StandardCharsets.UTF_8)))
                // The generic body, whatever the webhook's format: a PagerDuty body holds its routing key.
                .setPayload(ByteBuffer.wrap(genericBody(a).toString().getBytes(StandardCharsets.UTF_8)))
                .setReason(DeadLetterReason.DELIVERY_FAILED)
                .setDetail(String.format(
                        Locale.ROOT,
                        "webhook %s: alert %s message %d (%s) not delivered: %s",
                        call.getWebhook(),
                        a.getAlertId(),
                        a.getSequence(),
                        a.getState(),
                        problem))
                .setDetectedAt(Instant.now())
                .build();
    }

    /** A Slack-compatible body ("text") with the alert's fields beside it: the generic format. */
    static ObjectNode genericBody(Alert a) {
        ObjectNode json = AvroJson.MAPPER.createObjectNode();
        String action = a.getSuggestedAction().isEmpty() ? "" : "\nSuggested action: " + a.getSuggestedAction();
        json.put(
                "text",
                String.format(
                        Locale.ROOT,
                        "*[%s] %s* %s%s%s",
                        a.getSeverity(),
                        a.getState(),
                        a.getTitle(),
                        a.getOwner() == null ? "" : " (owner: " + a.getOwner() + ")",
                        action));
        json.put("alert_id", a.getAlertId());
        json.put("sequence", a.getSequence());
        json.put("state", a.getState().name());
        json.put("kind", a.getKind().name());
        json.put("severity", a.getSeverity().name());
        json.put("campaign_id", a.getCampaignId());
        json.put("campaign_name", a.getCampaignName());
        json.put("owner", a.getOwner());
        json.put("rule", a.getRule());
        json.put("title", a.getTitle());
        json.put("detail", a.getDetail());
        json.put("suggested_action", a.getSuggestedAction());
        json.put("count_total", a.getCountTotal());
        json.put("count_since_last", a.getCountSinceLast());
        json.put("window_start", a.getWindowStart().toString());
        json.put("window_end", a.getWindowEnd().toString());
        json.put("detected_at", a.getDetectedAt().toString());
        ObjectNode metrics = json.putObject("metrics");
        new TreeMap<>(a.getMetrics()).forEach(metrics::put);
        json.putArray("example_ids")
                .addAll(a.getExampleIds().stream().map(json::textNode).toList());
        json.putArray("example_customer_ids")
                .addAll(a.getExampleCustomerIds().stream().map(json::textNode).toList());
        return json;
    }
}
