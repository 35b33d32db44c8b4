package io.campaignpulse.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * Writer schemas of records in the Confluent wire format (magic byte 0, a 4-byte schema id), fetched
 * once per id from a registry's Confluent-compatible REST API: {@code GET <url>/schemas/ids/<id>}
 * (Confluent Schema Registry; Apicurio Registry under {@code /apis/ccompat/v7}). Ids are immutable,
 * so every answer is kept for the life of the task.
 */
public final class SchemaRegistry {

    /** The registry answered that it has no such id: the record is bad, not the registry. */
    static final class UnknownSchemaId extends IOException {
        UnknownSchemaId(int id) {
            super("the schema registry has no schema with id " + id);
        }
    }

    /** The registry cannot be asked now: a fault of the infrastructure, so the task fails and retries. */
    public static final class Unavailable extends RuntimeException {
        Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final int ATTEMPTS = 3;

    private final URI base;
    private final String authorization;
    private final Duration timeout;
    private final HttpClient http;
    private final Map<Integer, Schema> byId = new ConcurrentHashMap<>();
    private final ObjectMapper json = new ObjectMapper();

    /** @param credentials "user:password" for HTTP basic authentication, or empty */
    SchemaRegistry(String url, String credentials, Duration timeout) {
        this.base = URI.create(url.endsWith("/") ? url : url + "/");
        this.authorization = credentials == null || credentials.isEmpty()
                ? null
                : "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    Schema schema(int id) throws UnknownSchemaId {
        Schema known = byId.get(id);
        if (known != null) {
            return known;
        }
        Schema fetched = fetch(id);
        byId.put(id, fetched);
        return fetched;
    }

    private Schema fetch(int id) throws UnknownSchemaId {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("schemas/ids/" + id))
                .timeout(timeout)
                .header("Accept", "application/vnd.schemaregistry.v1+json, application/json");
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        Exception last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 404) {
                    throw new UnknownSchemaId(id);
                }
                if (response.statusCode() == 200) {
                    JsonNode body = json.readTree(response.body());
                    JsonNode schema = body.get("schema");
                    if (schema == null || !schema.isTextual()) {
                        throw new Unavailable("the schema registry's answer for id " + id + " has no schema", null);
                    }
                    return new Schema.Parser().parse(schema.asText());
                }
                last = new IOException("HTTP " + response.statusCode());
            } catch (UnknownSchemaId | Unavailable e) {
                throw e;
            } catch (IOException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Unavailable("interrupted while asking the schema registry", e);
            } catch (RuntimeException e) {
                // An unparsable schema: the registry's content is broken, not one record.
                throw new Unavailable("the schema registry's schema " + id + " cannot be parsed", e);
            }
            sleep(attempt * 200L);
        }
        // Never the URL's credentials: only the host and the error type.
        throw new Unavailable(
                "the schema registry at " + base.getHost() + " did not answer for schema id " + id + " ("
                        + last.getClass().getSimpleName() + (last.getMessage() == null ? "" : ": " + last.getMessage())
                        + ")",
                last);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
