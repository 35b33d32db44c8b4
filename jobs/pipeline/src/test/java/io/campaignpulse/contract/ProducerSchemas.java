package io.campaignpulse.contract;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.function.Consumer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/** Schemas of producers on other versions: a published schema, changed the way they changed it. */
public final class ProducerSchemas {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ProducerSchemas() {}

    /** Version 1 of a record, its fields changed. */
    public static Schema evolved(String record, Consumer<ArrayNode> changeFields) {
        return changed(PublishedSchemas.bundled().version(record, 1), changeFields);
    }

    /** Version 1 of a record, the symbols of one enum field changed. */
    public static Schema evolvedEnum(String record, String field, Consumer<ArrayNode> changeSymbols) {
        return changedEnum(PublishedSchemas.bundled().version(record, 1), field, changeSymbols);
    }

    public static Schema changed(Schema schema, Consumer<ArrayNode> changeFields) {
        try {
            ObjectNode tree = (ObjectNode) JSON.readTree(schema.toString());
            changeFields.accept((ArrayNode) tree.get("fields"));
            return new Schema.Parser().parse(tree.toString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Schema changedEnum(Schema schema, String field, Consumer<ArrayNode> changeSymbols) {
        return changed(schema, fields -> {
            for (var f : fields) {
                if (f.get("name").asText().equals(field)) {
                    ArrayNode symbols = (ArrayNode)
                            (f.get("type").isArray()
                                    ? f.get("type").get(1).get("symbols") // an optional enum: ["null", {...}]
                                    : f.get("type").get("symbols"));
                    changeSymbols.accept(symbols);
                }
            }
        });
    }

    /** An optional string field with a null default: the compatible way to add a field. */
    public static ObjectNode optionalString(String name) {
        ObjectNode field = JSON.createObjectNode().put("name", name);
        field.set("type", JSON.createArrayNode().add("null").add("string"));
        field.putNull("default");
        return field;
    }

    /** A record of {@code schema} with these fields set; enum values given by symbol name. */
    public static GenericRecord record(Schema schema, Object... namesAndValues) {
        GenericRecord r = new GenericData.Record(schema);
        for (int i = 0; i < namesAndValues.length; i += 2) {
            String name = (String) namesAndValues[i];
            Object value = namesAndValues[i + 1];
            Schema fieldSchema = schema.getField(name).schema();
            if (fieldSchema.getType() == Schema.Type.UNION && value instanceof String) {
                for (Schema branch : fieldSchema.getTypes()) {
                    if (branch.getType() == Schema.Type.ENUM) {
                        fieldSchema = branch;
                    }
                }
            }
            r.put(
                    name,
                    fieldSchema.getType() == Schema.Type.ENUM
                            ? new GenericData.EnumSymbol(fieldSchema, (String) value)
                            : value);
        }
        return r;
    }
}
