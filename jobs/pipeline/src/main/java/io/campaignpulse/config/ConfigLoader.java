package io.campaignpulse.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.campaignpulse.contract.AlertKind;
import io.campaignpulse.contract.Severity;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.LoggerFactory;

/**
 * Loads {@link PulseConfig}: the bundled defaults (the same file as {@code conf/pulse.yaml}),
 * overlaid with the user's file and {@code --set key=value} overrides, with {@code ${ENV}}
 * references resolved, bound to typed records and validated. Every failure names the key.
 */
public final class ConfigLoader {

    /** The defaults: conf/pulse.yaml, copied into the jar at build time. */
    static final String DEFAULTS_RESOURCE = "/campaign-pulse/pulse.yaml";

    private static final Pattern ENV_REF = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?}");
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    /** How long a restart may take between a failed checkpoint and the commit of the last completed one. */
    static final Duration RESTART_MARGIN = Duration.ofMinutes(1);

    private final ObjectMapper yaml;
    private final UnaryOperator<String> environment;

    public ConfigLoader() {
        this(System::getenv);
    }

    /** @param environment looks up environment variables (tests pass their own). */
    public ConfigLoader(UnaryOperator<String> environment) {
        this.environment = environment;
        SimpleModule durations = new SimpleModule().addDeserializer(Duration.class, new DurationDeserializer());
        this.yaml = new ObjectMapper(new YAMLFactory())
                .setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
                .registerModule(durations);
    }

    /** The defaults alone. */
    public PulseConfig defaults() {
        return load(null, Map.of());
    }

    /**
     * @param file the user's YAML file, or null for the defaults alone
     * @param overrides dotted keys to values, applied last (e.g. "kafka.bootstrap-servers")
     */
    public PulseConfig load(Path file, Map<String, String> overrides) {
        ObjectNode tree = readDefaults();
        if (file != null) {
            JsonNode user;
            try {
                user = yaml.readTree(Files.readString(file));
            } catch (IOException e) {
                throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
            }
            if (user != null && !user.isMissingNode() && !user.isNull()) {
                if (!user.isObject()) {
                    throw new ConfigException(file + ": the top level must be a mapping of keys");
                }
                merge(tree, (ObjectNode) user, "");
            }
        }
        overrides.forEach((key, value) -> set(tree, key, value));
        resolveEnvironment(tree, "");
        PulseConfig config = bind(tree);
        validate(config);
        return config;
    }

    private ObjectNode readDefaults() {
        try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing bundled defaults " + DEFAULTS_RESOURCE);
            }
            return (ObjectNode) yaml.readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read bundled defaults", e);
        }
    }

    /** Overlays user values on defaults; a key the defaults do not have is an error. */
    private static void merge(ObjectNode base, ObjectNode overlay, String path) {
        Iterator<Map.Entry<String, JsonNode>> fields = overlay.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String key = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
            JsonNode existing = base.get(field.getKey());
            if (existing == null) {
                throw new ConfigException("unknown key '" + key + "'");
            }
            // kafka.properties is free-form: replaced, not merged key by key.
            if (existing.isObject() && field.getValue().isObject() && !key.equals("kafka.properties")) {
                merge((ObjectNode) existing, (ObjectNode) field.getValue(), key);
            } else if (existing.isObject()
                    && !field.getValue().isObject()
                    && !field.getValue().isNull()) {
                throw new ConfigException("'" + key + "' must be a mapping of keys");
            } else {
                base.set(field.getKey(), field.getValue());
            }
        }
    }

    private static void set(ObjectNode tree, String dottedKey, String value) {
        String passThrough = "kafka.properties.";
        if (dottedKey.startsWith(passThrough) && dottedKey.length() > passThrough.length()) {
            // Kafka's own property names contain dots: everything after the prefix is one key.
            ((ObjectNode) tree.get("kafka").get("properties")).put(dottedKey.substring(passThrough.length()), value);
            return;
        }
        String[] parts = dottedKey.split("\\.");
        ObjectNode node = tree;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = node.get(parts[i]);
            if (child == null || !child.isObject()) {
                throw new ConfigException("unknown key '" + dottedKey + "'");
            }
            node = (ObjectNode) child;
        }
        String last = parts[parts.length - 1];
        if (!node.has(last)) {
            throw new ConfigException("unknown key '" + dottedKey + "'");
        }
        node.set(last, TextNode.valueOf(value));
    }

    private void resolveEnvironment(ObjectNode node, String path) {
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String key = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
            JsonNode value = field.getValue();
            if (value.isObject()) {
                resolveEnvironment((ObjectNode) value, key);
            } else if (value.isArray()) {
                // Lists of mappings (routing.webhooks): their secrets come from the environment too.
                ArrayNode array = (ArrayNode) value;
                for (int i = 0; i < array.size(); i++) {
                    JsonNode item = array.get(i);
                    if (item.isObject()) {
                        resolveEnvironment((ObjectNode) item, key + "[" + i + "]");
                    } else if (item.isTextual() && item.textValue().contains("${")) {
                        array.set(i, TextNode.valueOf(substitute(key + "[" + i + "]", item.textValue())));
                    }
                }
            } else if (value.isTextual() && value.textValue().contains("${")) {
                field.setValue(TextNode.valueOf(substitute(key, value.textValue())));
            }
        }
    }

    private String substitute(String key, String text) {
        Matcher m = ENV_REF.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = environment.apply(m.group(1));
            if (value == null || value.isEmpty()) {
                if (m.group(2) == null) {
                    throw new ConfigException(
                            "'" + key + "' refers to environment variable " + m.group(1) + ", which is not set");
                }
                value = m.group(3);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private PulseConfig bind(ObjectNode tree) {
        try {
            return yaml.treeToValue(tree, PulseConfig.class);
        } catch (UnrecognizedPropertyException e) {
            throw new ConfigException("unknown key '" + keyOf(e) + "'", e);
        } catch (JsonMappingException e) {
            String reason = e.getOriginalMessage();
            if (e.getCause() instanceof ConfigException ce) {
                reason = ce.getMessage();
            } else if (reason != null && reason.contains("not one of the values accepted")) {
                reason = "not one of the accepted values";
            }
            throw new ConfigException("bad value for '" + keyOf(e) + "': " + firstLine(reason), e);
        } catch (IOException e) {
            throw new ConfigException("cannot read configuration: " + e.getMessage(), e);
        }
    }

    private static String keyOf(JsonMappingException e) {
        StringBuilder key = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (key.length() > 0) {
                    key.append('.');
                }
                key.append(ref.getFieldName());
            }
        }
        return key.toString();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "invalid";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static void validate(PulseConfig c) {
        validateContract(c.contract());
        notBlank("kafka.bootstrap-servers", c.kafka().bootstrapServers());
        notBlank("kafka.group-id", c.kafka().groupId());
        notBlank("kafka.transactional-id-prefix", c.kafka().transactionalIdPrefix());
        atLeast("kafka.transaction-timeout", c.kafka().transactionTimeout(), Duration.ofSeconds(10));
        if (!PulseConfig.Kafka.DELIVERIES.contains(c.kafka().delivery())) {
            throw new ConfigException(
                    "bad value for 'kafka.delivery': one of " + String.join(", ", PulseConfig.Kafka.DELIVERIES));
        }
        if (c.kafka().transactionTimeout().compareTo(Duration.ofMinutes(15)) > 0) {
            // Brokers refuse longer transactions unless transaction.max.timeout.ms was raised.
            warn("kafka.transaction-timeout is above 15m; the brokers' transaction.max.timeout.ms must allow it");
        }
        var t = c.topics();
        notBlank("topics.campaigns", t.campaigns());
        notBlank("topics.campaign-sends", t.campaignSends());
        notBlank("topics.customer-holdings", t.customerHoldings());
        notBlank("topics.customer-consent", t.customerConsent());
        notBlank("topics.tickets", t.tickets());
        notBlank("topics.reviews", t.reviews());
        notBlank("topics.misfires", t.misfires());
        notBlank("topics.alerts", t.alerts());
        notBlank("topics.dead-letters", t.deadLetters());
        notBlank("topics.campaign-stats", t.campaignStats());
        notBlank("topics.suppressions", t.suppressions());
        notBlank("topics.control", t.control());
        atLeast("event-time.max-out-of-orderness", c.eventTime().maxOutOfOrderness(), Duration.ZERO);
        atLeast("event-time.idleness", c.eventTime().idleness(), Duration.ofMillis(100));
        atLeast("event-time.max-publication-delay", c.eventTime().maxPublicationDelay(), Duration.ZERO);
        atLeast("event-time.alignment-max-drift", c.eventTime().alignmentMaxDrift(), Duration.ofSeconds(1));
        atLeast("event-time.alignment-update-interval", c.eventTime().alignmentUpdateInterval(), Duration.ofMillis(10));
        notAbove(
                "event-time.alignment-update-interval",
                c.eventTime().alignmentUpdateInterval(),
                "event-time.alignment-max-drift",
                c.eventTime().alignmentMaxDrift());
        atLeast("event-time.watermark-interval", c.eventTime().watermarkInterval(), Duration.ofMillis(10));
        notAbove(
                "event-time.watermark-interval",
                c.eventTime().watermarkInterval(),
                "event-time.idleness",
                c.eventTime().idleness());
        atLeast("event-time.max-future-skew", c.eventTime().maxFutureSkew(), Duration.ofSeconds(1));
        try {
            Instant floor = Instant.parse(c.eventTime().earliest());
            if (floor.isBefore(PulseConfig.EventTime.STORABLE_FROM)) {
                throw new ConfigException(
                        "bad value for 'event-time.earliest': must be after " + PulseConfig.EventTime.STORABLE_FROM
                                + ", was " + c.eventTime().earliest());
            }
        } catch (DateTimeParseException | NullPointerException e) {
            throw new ConfigException(
                    "bad value for 'event-time.earliest': must be an ISO-8601 instant such as 2000-01-01T00:00:00Z, was "
                            + c.eventTime().earliest());
        }
        atLeast("event-time.campaigns-settle", c.eventTime().campaignsSettle(), Duration.ZERO);
        atLeast("event-time.campaign-grace", c.eventTime().campaignGrace(), Duration.ZERO);
        Duration retention = c.eventTime().campaignRetention();
        Duration attributed = c.attribution().window().compareTo(c.attribution().conversionWindow()) >= 0
                ? c.attribution().window()
                : c.attribution().conversionWindow();
        if (retention == null
                || retention.compareTo(attributed) < 0
                || retention.compareTo(Duration.ofDays(36_500)) > 0) {
            throw new ConfigException("bad value for 'event-time.campaign-retention': must be at least the longer of"
                    + " attribution.window and attribution.conversion-window (" + attributed + ") and at most 36500d,"
                    + " was " + retention);
        }
        atLeast("misfire.duplicate-window", c.misfire().duplicateWindow(), Duration.ofMillis(1));
        atLeast("misfire.frequency-window", c.misfire().frequencyWindow(), Duration.ofMillis(1));
        if (c.misfire().frequencyCap() < 1) {
            throw new ConfigException("bad value for 'misfire.frequency-cap': must be at least 1, was "
                    + c.misfire().frequencyCap());
        }
        atLeast("misfire.customer-state-ttl", c.misfire().customerStateTtl(), Duration.ofDays(1));
        if (!(c.misfire().openComplaintScore() >= -1 && c.misfire().openComplaintScore() <= 1)) {
            throw new ConfigException("bad value for 'misfire.open-complaint-score': must be in [-1, 1], was "
                    + c.misfire().openComplaintScore());
        }
        atLeast("misfire.open-complaint-window", c.misfire().openComplaintWindow(), Duration.ofMillis(1));
        atLeast("attribution.window", c.attribution().window(), Duration.ofMillis(1));
        atLeast("attribution.conversion-window", c.attribution().conversionWindow(), Duration.ofMillis(1));
        atLeast("rollups.window", c.rollups().window(), Duration.ofSeconds(1));
        atLeast("rollups.slide", c.rollups().slide(), Duration.ofSeconds(1));
        if (c.rollups().window().toMillis() % c.rollups().slide().toMillis() != 0) {
            throw new ConfigException("bad value for 'rollups.slide': must divide rollups.window ("
                    + c.rollups().window() + ") evenly");
        }
        atLeast("rollups.allowed-lateness", c.rollups().allowedLateness(), Duration.ZERO);
        // The settings a control message can change are checked by the same rules as control messages.
        String why = AlertSetting.checkConfigured(c.alerting());
        if (why != null) {
            throw new ConfigException(why);
        }
        if (c.alerting().examples() < 1 || c.alerting().examples() > 20) {
            throw new ConfigException("bad value for 'alerting.examples': must be 1 to 20, was "
                    + c.alerting().examples());
        }
        validateRouting(c.routing());
        atLeast("alerting.window", c.alerting().window(), Duration.ofSeconds(1));
        atLeast("alerting.allowed-lateness", c.alerting().allowedLateness(), Duration.ZERO);
        if (c.alerting().allowedLateness().compareTo(c.eventTime().campaignGrace()) < 0) {
            throw new ConfigException(
                    "bad value for 'alerting.allowed-lateness': must be at least event-time.campaign-grace ("
                            + c.eventTime().campaignGrace()
                            + "), or sends judged after the grace would miss their window");
        }
        if (c.postgres().enabled()) {
            notBlank("postgres.url", c.postgres().url());
            if (!c.postgres().url().startsWith("jdbc:postgresql:")) {
                throw new ConfigException("bad value for 'postgres.url': must start with jdbc:postgresql:");
            }
            notBlank("postgres.username", c.postgres().username());
            if (c.postgres().batchSize() < 1) {
                throw new ConfigException("bad value for 'postgres.batch-size': must be at least 1");
            }
            atLeast("postgres.batch-interval", c.postgres().batchInterval(), Duration.ZERO);
            if (c.postgres().scorecardMinFeedback() < 1) {
                throw new ConfigException("bad value for 'postgres.scorecard-min-feedback': must be at least 1");
            }
            PulseConfig.Retention keep = c.postgres().retention();
            atLeast("postgres.retention.misfires", keep.misfires(), Duration.ZERO);
            atLeast("postgres.retention.dead-letters", keep.deadLetters(), Duration.ZERO);
            atLeast("postgres.retention.feedback-scores", keep.feedbackScores(), Duration.ZERO);
            atLeast("postgres.retention.campaign-stats", keep.campaignStats(), Duration.ZERO);
            if (c.postgres().maxRetries() < 0) {
                throw new ConfigException("bad value for 'postgres.max-retries': must not be negative");
            }
        }
        atLeast("checkpoints.interval", c.checkpoints().interval(), Duration.ofMillis(100));
        atLeast("checkpoints.timeout", c.checkpoints().timeout(), Duration.ofSeconds(10));
        if (c.checkpoints().tolerableFailures() < 0) {
            throw new ConfigException("bad value for 'checkpoints.tolerable-failures': must not be negative");
        }
        // A transaction the broker aborts before the checkpoint that pre-committed it completes is
        // output lost without an error; so the broker must wait longer than that can take.
        Duration needed = c.checkpoints().longestOpenTransaction().plus(RESTART_MARGIN);
        if (c.kafka().transactionTimeout().compareTo(needed) < 0) {
            throw new ConfigException("bad value for 'kafka.transaction-timeout': "
                    + text(c.kafka().transactionTimeout())
                    + " is shorter than a transaction can stay open: (checkpoints.tolerable-failures + 1) x"
                    + " (checkpoints.interval + checkpoints.timeout) + " + text(RESTART_MARGIN) + " for a restart = "
                    + text(needed) + ". Raise it (the brokers' transaction.max.timeout.ms must allow it) or shorten"
                    + " checkpoints.timeout");
        }
        if (c.parallelism() < 0) {
            throw new ConfigException("bad value for 'parallelism': must not be negative");
        }
    }

    private static String text(Duration d) {
        return d.toString().substring(2).toLowerCase(Locale.ROOT);
    }

    private static void validateContract(PulseConfig.Contract c) {
        if (c.plainBinaryWriterVersion() < 1) {
            throw new ConfigException("bad value for 'contract.plain-binary-writer-version': versions start at 1");
        }
        if (!PulseConfig.Contract.OUTPUT_ENCODINGS.contains(c.outputEncoding())) {
            throw new ConfigException("bad value for 'contract.output-encoding': one of "
                    + String.join(", ", PulseConfig.Contract.OUTPUT_ENCODINGS));
        }
        for (int i = 0; i < c.schemaDirectories().size(); i++) {
            notBlank(
                    "contract.schema-directories[" + i + "]",
                    c.schemaDirectories().get(i));
        }
        String url = c.schemaRegistryUrl();
        if (!url.isEmpty()) {
            URI uri;
            try {
                uri = URI.create(url);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("bad value for 'contract.schema-registry-url': not a URL", e);
            }
            if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
                throw new ConfigException("bad value for 'contract.schema-registry-url': must be an http(s) URL");
            }
            if (uri.getUserInfo() != null) {
                throw new ConfigException("bad value for 'contract.schema-registry-url': credentials belong in"
                        + " contract.schema-registry-credentials (from the environment), not in the URL");
            }
        }
        atLeast("contract.schema-registry-timeout", c.schemaRegistryTimeout(), Duration.ofSeconds(1));
    }

    private static void notBlank(String key, String value) {
        if (value == null || value.isBlank()) {
            throw new ConfigException("bad value for '" + key + "': must not be empty");
        }
    }

    /** {@code value} (already checked to be set) must not exceed the setting {@code boundKey}. */
    private static void notAbove(String key, Duration value, String boundKey, Duration bound) {
        if (value.compareTo(bound) > 0) {
            throw new ConfigException(
                    "bad value for '" + key + "': must not exceed " + boundKey + " (" + bound + "), was " + value);
        }
    }

    private static void atLeast(String key, Duration value, Duration min) {
        if (value == null) {
            throw new ConfigException("bad value for '" + key + "': must be a duration such as 30s or 5m");
        }
        if (value.compareTo(min) < 0) {
            throw new ConfigException("bad value for '" + key + "': must be at least " + min + ", was " + value);
        }
    }

    private static void validateRouting(PulseConfig.Routing r) {
        atLeast("routing.timeout", r.timeout(), Duration.ofMillis(100));
        atLeast("routing.backoff", r.backoff(), Duration.ZERO);
        if (r.maxAttempts() < 1) {
            throw new ConfigException(
                    "bad value for 'routing.max-attempts': must be at least 1, was " + r.maxAttempts());
        }
        if (r.maxInFlight() < 1) {
            throw new ConfigException(
                    "bad value for 'routing.max-in-flight': must be at least 1, was " + r.maxInFlight());
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < r.webhooks().size(); i++) {
            PulseConfig.Webhook w = r.webhooks().get(i);
            String at = "routing.webhooks[" + i + "]";
            if (w.name() == null || w.name().isBlank() || !names.add(w.name())) {
                throw new ConfigException("bad value for '" + at + ".name': must be set and unique");
            }
            // The message never quotes the URL or the token: a chat webhook's URL is its secret.
            if (w.uri() == null) {
                throw new ConfigException(
                        "bad value for '" + at
                                + ".url': must be an http:// or https:// URL with a host and no spaces or other characters a URL cannot hold");
            }
            if (w.token() != null && w.token().chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
                throw new ConfigException(
                        "bad value for '" + at + ".token': must not contain control characters (a line break?)");
            }
            List<String> kinds = known(AlertKind.values(), AlertKind.UNKNOWN);
            for (String kind : w.kinds()) {
                if (!kinds.contains(kind)) {
                    throw new ConfigException("bad value for '" + at + ".kinds': unknown alert kind '" + kind
                            + "' (one of " + String.join(", ", kinds) + ")");
                }
            }
            List<String> severities = known(Severity.values(), Severity.UNKNOWN);
            if (!severities.contains(w.minSeverity())) {
                throw new ConfigException("bad value for '" + at + ".min-severity': one of "
                        + String.join(", ", severities) + ", was '" + w.minSeverity() + "'");
            }
            if (!PulseConfig.Webhook.FORMATS.contains(w.format())) {
                throw new ConfigException("bad value for '" + at + ".format': one of "
                        + String.join(", ", PulseConfig.Webhook.FORMATS) + ", was '" + w.format() + "'");
            }
            if (w.format().equals("pagerduty")
                    && (w.token() == null || w.token().isBlank())) {
                throw new ConfigException("bad value for '" + at
                        + ".token': a pagerduty webhook needs the service's integration (routing) key");
            }
        }
        validateEmail(r.email());
        String link = r.campaignUrl();
        boolean web = link.startsWith("http://") || link.startsWith("https://");
        if (!link.isEmpty() && (!web || !link.contains("{campaign_id}"))) {
            throw new ConfigException(
                    "bad value for 'routing.campaign-url': an http(s) URL with {campaign_id} where the campaign goes");
        }
    }

    private static void validateEmail(PulseConfig.Email e) {
        if (!e.enabled()) {
            return;
        }
        notBlank("routing.email.smtp-host", e.smtpHost());
        if (e.smtpPort() < 1 || e.smtpPort() > 65_535) {
            throw new ConfigException("bad value for 'routing.email.smtp-port': a port number, was " + e.smtpPort());
        }
        if (!isAddress(e.from())) {
            throw new ConfigException("bad value for 'routing.email.from': an email address, was '" + e.from() + "'");
        }
        if (!e.digestInterval().isZero()) {
            atLeast("routing.email.digest-interval", e.digestInterval(), Duration.ofMinutes(1));
        }
        if (e.recipients().isEmpty()) {
            throw new ConfigException(
                    "bad value for 'routing.email.recipients': at least one owner (or \"*\") with addresses");
        }
        for (int i = 0; i < e.recipients().size(); i++) {
            PulseConfig.Recipients r = e.recipients().get(i);
            String at = "routing.email.recipients[" + i + "]";
            if (r.owner().isBlank()) {
                throw new ConfigException("bad value for '" + at + ".owner': an owner, or \"*\" for every other owner");
            }
            if (r.to().isEmpty() || !r.to().stream().allMatch(ConfigLoader::isAddress)) {
                throw new ConfigException("bad value for '" + at + ".to': one or more email addresses");
            }
        }
    }

    private static boolean isAddress(String s) {
        return s != null && s.matches("[^@\\s,;<>]+@[^@\\s,;<>]+\\.[^@\\s,;<>]+");
    }

    /** The names of an enum of the contract, but its UNKNOWN (a reader's default, never a choice). */
    private static List<String> known(Enum<?>[] values, Enum<?> unknown) {
        return Arrays.stream(values).filter(v -> v != unknown).map(Enum::name).toList();
    }

    private static void warn(String message) {
        LoggerFactory.getLogger(ConfigLoader.class).warn(message);
    }

    /** Parses "500ms", "30s", "5m", "24h", "7d" or ISO-8601 ("PT5M"). */
    public static Duration parseDuration(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        Matcher m = DURATION.matcher(s);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        try {
            return Duration.parse(text.trim());
        } catch (RuntimeException e) {
            throw new ConfigException("'" + text + "' is not a duration such as 30s, 5m, 24h or 7d");
        }
    }

    private static final class DurationDeserializer extends StdDeserializer<Duration> {
        DurationDeserializer() {
            super(Duration.class);
        }

        @Override
        public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            return parseDuration(p.getValueAsString());
        }
    }
}
