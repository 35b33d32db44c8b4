package io.campaignpulse.config;

import io.campaignpulse.contract.WireFormat;
import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The job's configuration, as read from {@code conf/pulse.yaml} (see that file for what every key
 * means). Built only by {@link ConfigLoader}, which validates it, so code that receives one can
 * trust its values. Serializable because operators carry the parts they need.
 */
public record PulseConfig(
        Kafka kafka,
        Topics topics,
        EventTime eventTime,
        Misfire misfire,
        Attribution attribution,
        Rollups rollups,
        Alerting alerting,
        Routing routing,
        Postgres postgres,
        Checkpoints checkpoints,
        int parallelism,
        Contract contract)
        implements Serializable {

    /** How records are framed on Kafka and where writer schemas come from (see {@link WireFormat}). */
    public record Contract(
            boolean plainBinaryAccepted,
            int plainBinaryWriterVersion,
            String outputEncoding,
            List<String> schemaDirectories,
            String schemaRegistryUrl,
            String schemaRegistryCredentials,
            Duration schemaRegistryTimeout)
            implements Serializable {

        public static final List<String> OUTPUT_ENCODINGS = List.of("single-object", "plain-binary");

        public WireFormat.Settings wire() {
            return new WireFormat.Settings(
                    plainBinaryAccepted,
                    plainBinaryWriterVersion,
                    outputEncoding.equals("plain-binary")
                            ? WireFormat.Encoding.PLAIN_BINARY
                            : WireFormat.Encoding.SINGLE_OBJECT,
                    List.copyOf(schemaDirectories),
                    schemaRegistryUrl,
                    schemaRegistryCredentials,
                    schemaRegistryTimeout);
        }

        /** Never print the registry's credentials. */
        @Override
        public String toString() {
            return wire().toString();
        }
    }

    public record Kafka(
            String bootstrapServers,
            String groupId,
            StartingOffsets startingOffsets,
            String transactionalIdPrefix,
            Duration transactionTimeout,
            String delivery,
            Map<String, String> properties)
            implements Serializable {

        public static final String EXACTLY_ONCE = "exactly-once";
        public static final String AT_LEAST_ONCE = "at-least-once";
        public static final List<String> DELIVERIES = List.of(EXACTLY_ONCE, AT_LEAST_ONCE);

        /** Whether the Kafka outputs are transactional (kafka.delivery). */
        public boolean exactlyOnce() {
            return EXACTLY_ONCE.equals(delivery);
        }

        /** Properties for a Kafka client of ours: the pass-through ones (SASL/SSL) and the brokers. */
        public Properties clientProperties() {
            Properties p = new Properties();
            p.putAll(properties);
            p.put("bootstrap.servers", bootstrapServers);
            return p;
        }
    }

    public enum StartingOffsets {
        EARLIEST,
        LATEST,
        COMMITTED
    }

    public record Topics(
            String campaigns,
            String campaignSends,
            String customerHoldings,
            String customerConsent,
            String tickets,
            String reviews,
            String misfires,
            String alerts,
            String deadLetters,
            String campaignStats,
            String suppressions,
            String control)
            implements Serializable {

        /** The topics of the customer-events input: sends, holding and consent changes, tickets, reviews. */
        public List<String> customerEvents() {
            return List.of(campaignSends, customerHoldings, customerConsent, tickets, reviews);
        }
    }

    public record EventTime(
            Duration maxOutOfOrderness,
            Duration idleness,
            Duration maxPublicationDelay,
            Duration alignmentMaxDrift,
            Duration alignmentUpdateInterval,
            Duration watermarkInterval,
            Duration maxFutureSkew,
            String earliest,
            Duration campaignsSettle,
            Duration campaignGrace,
            Duration campaignRetention)
            implements Serializable {

        /** PostgreSQL's timestamptz range (4713 BC to 294276 AD), which every sink must be able to store. */
        public static final Instant STORABLE_FROM = Instant.parse("-4712-01-01T00:00:00Z");

        public static final Instant STORABLE_UNTIL = Instant.parse("+294276-12-31T23:59:59Z");

        /** The floor for event times, epoch millis ({@code earliest} is validated at load). */
        public long earliestMillis() {
            return Instant.parse(earliest).toEpochMilli();
        }
    }

    public record Misfire(
            Duration duplicateWindow,
            int frequencyCap,
            Duration frequencyWindow,
            boolean consentDefaultOptedIn,
            double openComplaintScore,
            Duration openComplaintWindow,
            Duration customerStateTtl)
            implements Serializable {}

    public record Attribution(Duration window, Duration conversionWindow) implements Serializable {}

    public record Rollups(Duration window, Duration slide, Duration allowedLateness) implements Serializable {}

    public record Alerting(
            Duration window,
            double misfireRateShare,
            int misfireRateMinCount,
            Duration allowedLateness,
            int sentimentMinFeedback,
            double sentimentDropBelowBaseline,
            double sentimentNegativeShare,
            double ticketSurgePerThousandSends,
            double ticketSurgeBaselineFactor,
            int ticketSurgeMinTickets,
            int ticketSurgeMinSends,
            double misfireRateCriticalShare,
            int misfireRateCriticalCount,
            Duration cooldown,
            double updateStep,
            int updateMinStep,
            Duration resolveAfter,
            int examples)
            implements Serializable {}

    /** How long a judged send must be remembered: for the look-back rules, attribution, conversions and redeliveries. */
    public Duration sendMemory() {
        Duration d = misfire.duplicateWindow();
        for (Duration other :
                new Duration[] {misfire.frequencyWindow(), attribution.window(), attribution.conversionWindow()}) {
            if (other.compareTo(d) > 0) {
                d = other;
            }
        }
        return d;
    }

    public record Postgres(
            boolean enabled,
            String url,
            String username,
            String password,
            int batchSize,
            Duration batchInterval,
            int maxRetries,
            Retention retention,
            int scorecardMinFeedback)
            implements Serializable {

        /** Never print the password. */
        @Override
        public String toString() {
            return "Postgres[enabled=" + enabled + ", url=" + url + ", username=" + username
                    + ", password=" + (password == null || password.isEmpty() ? "(none)" : "****")
                    + ", batchSize=" + batchSize + ", batchInterval=" + batchInterval
                    + ", maxRetries=" + maxRetries + ", retention=" + retention
                    + ", scorecardMinFeedback=" + scorecardMinFeedback + "]";
        }
    }

    /**
     * How long the append-only tables keep their rows (by their time column) before {@code pulse
     * prune} deletes them; zero keeps them forever.
     */
    public record Retention(Duration misfires, Duration deadLetters, Duration feedbackScores, Duration campaignStats)
            implements Serializable {}

    public record Checkpoints(Duration interval, Duration timeout, int tolerableFailures, String directory)
            implements Serializable {

        /**
         * The longest a Kafka transaction can stay open before a completed checkpoint commits it:
         * each checkpoint that fails may take the whole timeout, and the job tolerates that many
         * before it restarts (a restart commits the last completed checkpoint's transactions).
         */
        public Duration longestOpenTransaction() {
            return interval.plus(timeout).multipliedBy(tolerableFailures + 1L);
        }
    }

    /** Where alert messages go besides the alerts topic: HTTP webhooks chosen by kind, owner and severity. */
    public record Routing(
            List<Webhook> webhooks,
            Duration timeout,
            int maxAttempts,
            Duration backoff,
            int maxInFlight,
            String campaignUrl,
            Email email)
            implements Serializable {

        public Routing {
            webhooks = webhooks == null ? List.of() : List.copyOf(webhooks);
            campaignUrl = campaignUrl == null ? "" : campaignUrl;
            email = email == null ? Email.DISABLED : email;
        }

        /** Without mail. */
        public Routing(
                List<Webhook> webhooks,
                Duration timeout,
                int maxAttempts,
                Duration backoff,
                int maxInFlight,
                String campaignUrl) {
            this(webhooks, timeout, maxAttempts, backoff, maxInFlight, campaignUrl, Email.DISABLED);
        }

        /** Without a campaign link or mail. */
        public Routing(List<Webhook> webhooks, Duration timeout, int maxAttempts, Duration backoff, int maxInFlight) {
            this(webhooks, timeout, maxAttempts, backoff, maxInFlight, "", Email.DISABLED);
        }
    }

    /**
     * Alert mail: at once for a CRITICAL incident, and a digest of each owner's open incidents
     * every digestInterval (zero: none), to the owner's recipients.
     */
    public record Email(
            boolean enabled,
            String smtpHost,
            int smtpPort,
            boolean starttls,
            String username,
            String password,
            String from,
            Duration digestInterval,
            List<Recipients> recipients)
            implements Serializable {

        public static final Email DISABLED = new Email(false, "", 587, true, "", "", "", Duration.ZERO, List.of());

        public Email {
            smtpHost = smtpHost == null ? "" : smtpHost;
            username = username == null ? "" : username;
            password = password == null ? "" : password;
            from = from == null ? "" : from;
            digestInterval = digestInterval == null ? Duration.ZERO : digestInterval;
            recipients = recipients == null ? List.of() : List.copyOf(recipients);
        }

        /** An owner's addresses: its own entry, else the "*" entry, else none. */
        public List<String> recipientsOf(String owner) {
            List<String> fallback = List.of();
            for (Recipients r : recipients) {
                if (r.owner().equals(owner)) {
                    return r.to();
                }
                if (r.owner().equals("*")) {
                    fallback = r.to();
                }
            }
            return fallback;
        }

        /** Never the password. */
        @Override
        public String toString() {
            return "Email[enabled=" + enabled + ", smtpHost=" + smtpHost + ", smtpPort=" + smtpPort + ", starttls="
                    + starttls + ", username=" + username + ", password=" + (password.isEmpty() ? "(none)" : "****")
                    + ", from=" + from + ", digestInterval=" + digestInterval + ", recipients=" + recipients + "]";
        }
    }

    /** Who gets an owner's mail ("*": every owner without an entry of its own). */
    public record Recipients(String owner, List<String> to) implements Serializable {
        public Recipients {
            owner = owner == null ? "" : owner;
            to = to == null ? List.of() : List.copyOf(to);
        }
    }

    /**
     * One webhook: every alert message whose kind, owner and severity match (an empty list
     * matches all) is POSTed to url as JSON with a Slack-compatible "text".
     */
    public record Webhook(
            String name,
            String url,
            String token,
            List<String> kinds,
            List<String> owners,
            String minSeverity,
            String format)
            implements Serializable {

        /** The body formats a webhook can receive (config values). */
        public static final List<String> FORMATS =
                List.of("generic", "slack", "teams", "google-chat", "discord", "pagerduty");

        public Webhook {
            kinds = kinds == null ? List.of() : List.copyOf(kinds);
            owners = owners == null ? List.of() : List.copyOf(owners);
            minSeverity = minSeverity == null ? "INFO" : minSeverity;
            format = format == null ? "generic" : format;
        }

        /** In the generic format. */
        public Webhook(
                String name, String url, String token, List<String> kinds, List<String> owners, String minSeverity) {
            this(name, url, token, kinds, owners, minSeverity, "generic");
        }

        /** The URL if it is an absolute http(s) URL with a host, else null. */
        public URI uri() {
            if (url == null) {
                return null;
            }
            try {
                URI uri = new URI(url);
                boolean http = "http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme());
                return http && uri.getHost() != null ? uri : null;
            } catch (URISyntaxException e) {
                return null;
            }
        }

        /** Never print the token, nor the URL (chat webhook URLs carry their secret in the path). */
        @Override
        public String toString() {
            return "Webhook[name=" + name + ", url=****, token="
                    + (token == null || token.isEmpty() ? "(none)" : "****") + ", kinds=" + kinds + ", owners=" + owners
                    + ", minSeverity=" + minSeverity + ", format=" + format + "]";
        }
    }
}
