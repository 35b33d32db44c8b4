package io.campaignpulse.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.campaignpulse.contract.DeadLetterReason;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;

/**
 * Plain JSON for the contract's records, as people write them: field names as in the schemas,
 * enums as their symbols, timestamps as ISO-8601 text or epoch millis, nullable fields as the
 * value or null. (Avro's own JSON encoding wraps unions and is not meant for hand-made files.)
 */
public final class AvroJson {

    public static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Why a JSON value does not fit the schema; the message names the field, never its value. */
    public static final class Mismatch extends Exception {
        public final DeadLetterReason reason;

        Mismatch(DeadLetterReason reason, String message) {
            super(message);
            this.reason = reason;
        }
    }

    private AvroJson() {}

    public static GenericRecord fromJson(JsonNode node, Schema schema) throws Mismatch {
        if (node == null || !node.isObject()) {
            throw new Mismatch(DeadLetterReason.DECODE_ERROR, "a line must hold one JSON object");
        }
        GenericRecord record = new GenericData.Record(schema);
        for (Schema.Field field : schema.getFields()) {
            JsonNode value = node.get(field.name());
            record.put(field.pos(), convert(field.name(), value, field.schema()));
        }
        return record;
    }

    private static Object convert(String name, JsonNode value, Schema schema) throws Mismatch {
        if (schema.getType() == Schema.Type.UNION) {
            if (value == null || value.isNull()) {
                if (schema.getTypes().get(0).getType() == Schema.Type.NULL) {
                    return null;
                }
                throw new Mismatch(DeadLetterReason.MISSING_FIELD, name + " is missing");
            }
            for (Schema branch : schema.getTypes()) {
                if (branch.getType() != Schema.Type.NULL) {
                    return convert(name, value, branch);
                }
            }
        }
        if (value == null || value.isNull()) {
            throw new Mismatch(DeadLetterReason.MISSING_FIELD, name + " is missing");
        }
        switch (schema.getType()) {
            case STRING:
                if (!value.isTextual()) {
                    throw new Mismatch(DeadLetterReason.INVALID_VALUE, name + " must be a string");
                }
                return value.textValue();
            case ENUM:
                if (!value.isTextual()) {
                    throw new Mismatch(DeadLetterReason.INVALID_VALUE, name + " must be a string");
                }
                String symbol = schema.hasEnumSymbol(value.textValue()) ? value.textValue() : schema.getEnumDefault();
                return new GenericData.EnumSymbol(schema, symbol);
            case BOOLEAN:
                if (!value.isBoolean()) {
                    throw new Mismatch(DeadLetterReason.INVALID_VALUE, name + " must be true or false");
                }
                return value.booleanValue();
            case INT:
                if (!value.canConvertToInt() || !value.isIntegralNumber()) {
                    throw new Mismatch(DeadLetterReason.INVALID_VALUE, name + " must be a whole number");
                }
                return value.intValue();
            case LONG:
                if (schema.getLogicalType() instanceof LogicalTypes.TimestampMillis) {
                    return timestamp(name, value);
                }
                if (!value.isIntegralNumber() || !value.canConvertToLong()) {
                    throw new Mismatch(
                            DeadLetterReason.INVALID_VALUE, name + " must be a whole number that fits 64 bits");
                }
                return value.longValue();
            case MAP: {
                if (!value.isObject()) {
                    throw new Mismatch(DeadLetterReason.INVALID_VALUE, name + " must be an object");
                }
                Map<String, Object> map = new LinkedHashMap<>();
                var entries = value.fields();
                while (entries.hasNext()) {
                    var e = entries.next();
                    map.put(e.getKey(), convert(name + "." + e.getKey(), e.getValue(), schema.getValueType()));
                }
                return map;
            }
            default:
                throw new Mismatch(DeadLetterReason.INVALID_VALUE, name + " has a type replay files cannot carry");
        }
    }

    private static long timestamp(String name, JsonNode value) throws Mismatch {
        if (value.isIntegralNumber()) {
            if (!value.canConvertToLong()) {
                // Never truncated to some other instant: a number this large is no time at all.
                throw new Mismatch(DeadLetterReason.INVALID_TIMESTAMP, name + " is outside the range of epoch millis");
            }
            return value.longValue();
        }
        if (value.isTextual()) {
            String text = value.textValue();
            try {
                return Instant.parse(text).toEpochMilli();
            } catch (ArithmeticException e) {
                throw new Mismatch(DeadLetterReason.INVALID_TIMESTAMP, name + " is outside the range of epoch millis");
            } catch (DateTimeParseException e) {
                try {
                    return OffsetDateTime.parse(text).toInstant().toEpochMilli();
                } catch (ArithmeticException e2) {
                    throw new Mismatch(
                            DeadLetterReason.INVALID_TIMESTAMP, name + " is outside the range of epoch millis");
                } catch (DateTimeParseException e2) {
                    throw new Mismatch(
                            DeadLetterReason.INVALID_VALUE,
                            name + " must be ISO-8601 with a zone (2026-11-20T09:00:00Z) or epoch millis");
                }
            }
        }
        throw new Mismatch(DeadLetterReason.INVALID_VALUE, name + " must be ISO-8601 text or epoch millis");
    }

    /** The record as plain JSON: the inverse of {@link #fromJson}. */
    public static ObjectNode toJson(SpecificRecord record) {
        ObjectNode node = NODES.objectNode();
        for (Schema.Field field : record.getSchema().getFields()) {
            node.set(field.name(), toNode(record.get(field.pos())));
        }
        return node;
    }

    private static JsonNode toNode(Object value) {
        if (value == null) {
            return NODES.nullNode();
        }
        if (value instanceof SpecificRecord r) {
            return toJson(r);
        }
        if (value instanceof Instant i) {
            return NODES.textNode(i.toString());
        }
        if (value instanceof CharSequence || value instanceof Enum<?> || value instanceof GenericData.EnumSymbol) {
            return NODES.textNode(value.toString());
        }
        if (value instanceof Boolean b) {
            return NODES.booleanNode(b);
        }
        if (value instanceof Integer i) {
            return NODES.numberNode(i);
        }
        if (value instanceof Long l) {
            return NODES.numberNode(l);
        }
        if (value instanceof Double d) {
            return NODES.numberNode(d);
        }
        if (value instanceof ByteBuffer b) {
            ByteBuffer copy = b.duplicate();
            byte[] bytes = new byte[copy.remaining()];
            copy.get(bytes);
            return NODES.textNode(Base64.getEncoder().encodeToString(bytes));
        }
        if (value instanceof Map<?, ?> m) {
            ObjectNode o = NODES.objectNode();
            m.entrySet().stream()
                    .sorted(Map.Entry.comparingByKey((a, b) -> a.toString().compareTo(b.toString())))
                    .forEach(e -> o.set(e.getKey().toString(), toNode(e.getValue())));
            return o;
        }
        if (value instanceof Collection<?> c) {
            ArrayNode a = NODES.arrayNode();
            c.forEach(v -> a.add(toNode(v)));
            return a;
        }
        return NODES.textNode(value.toString());
    }
}
