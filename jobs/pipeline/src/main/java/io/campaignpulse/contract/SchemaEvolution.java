package io.campaignpulse.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * The rules every published schema version obeys, checked by the build ({@code mvn verify} fails on
 * a violation, naming the file):
 *
 * <ul>
 *   <li>each version is backward- and forward-compatible with the one before (Avro's schema
 *       resolution, both ways): a reader on either version reads the other's records;
 *   <li>fields are only appended, each with a default, and enum symbols only appended: consumers
 *       still reading plain binary without the writer's schema decode by position;
 *   <li>the newest version is exactly the schema the code is generated from, so a change to
 *       {@code schemas/*.avsc} cannot ship without publishing a new version.
 * </ul>
 */
public final class SchemaEvolution {

    private SchemaEvolution() {}

    /**
     * Where a family of records is defined and where its versions are published: the wire records in
     * {@code schemas/}; the job's state types have their own layout ({@code PublishedSchemaCheck}).
     */
    public record Layout(String definitions, String published, List<Class<? extends SpecificRecord>> records) {

        public static final Layout WIRE = new Layout("schemas", "schemas", PublishedSchemas.WIRE_RECORDS);
    }

    /** The wire records' rules. */
    public static List<String> check(PublishedSchemas published) {
        return check(published, Layout.WIRE);
    }

    public static List<String> check(PublishedSchemas published, Layout layout) {
        List<String> problems = new ArrayList<>();
        for (Class<? extends SpecificRecord> type : layout.records()) {
            String name = type.getSimpleName();
            List<Schema> versions = published.versions(name);
            if (versions.isEmpty()) {
                problems.add(layout.published() + "/" + name + "/v1.avsc is missing");
                continue;
            }
            for (int v = 2; v <= versions.size(); v++) {
                problems.addAll(
                        checkStep(layout.published() + "/" + name, v, versions.get(v - 2), versions.get(v - 1)));
            }
            Schema newest = versions.get(versions.size() - 1);
            Schema generated = withoutJavaProps(SpecificData.get().getSchema(type));
            if (!generated.equals(newest)) {
                String versionFile = layout.published() + "/" + name + "/v";
                problems.add(layout.definitions() + "/" + name + ".avsc differs from " + versionFile + versions.size()
                        + ".avsc: publish the change as " + versionFile + (versions.size() + 1)
                        + ".avsc (the self-contained schema), after checking it against these rules");
            }
        }
        return problems;
    }

    /**
     * The problems of publishing {@code next} as version {@code v} after {@code previous}.
     *
     * @param record where the record's versions are, e.g. "schemas/Campaign"
     */
    public static List<String> checkStep(String record, int v, Schema previous, Schema next) {
        List<String> problems = new ArrayList<>();
        String file = record + "/v" + v + ".avsc";
        SchemaCompatibility.SchemaPairCompatibility backward =
                SchemaCompatibility.checkReaderWriterCompatibility(next, previous);
        if (backward.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            problems.add(file + " cannot read v" + (v - 1) + " records: " + incompatibilities(backward));
        }
        SchemaCompatibility.SchemaPairCompatibility forward =
                SchemaCompatibility.checkReaderWriterCompatibility(previous, next);
        if (forward.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            problems.add("v" + (v - 1) + " readers cannot read " + file + " records: " + incompatibilities(forward));
        }
        appendOnly(file, previous, next, new HashSet<>(), problems);
        return problems;
    }

    private static void appendOnly(String file, Schema previous, Schema next, Set<String> seen, List<String> problems) {
        if (previous.getType() != next.getType()) {
            return; // a type change is reported by the compatibility check
        }
        switch (previous.getType()) {
            case RECORD -> {
                if (!seen.add(previous.getFullName())) {
                    return;
                }
                List<Schema.Field> before = previous.getFields();
                List<Schema.Field> after = next.getFields();
                for (int i = 0; i < before.size(); i++) {
                    if (i >= after.size()
                            || !after.get(i).name().equals(before.get(i).name())) {
                        problems.add(file + ": " + previous.getName() + "."
                                + before.get(i).name() + " is no longer field " + (i + 1)
                                + "; fields may only be added at the end");
                        return;
                    }
                    appendOnly(file, before.get(i).schema(), after.get(i).schema(), seen, problems);
                }
                for (int i = before.size(); i < after.size(); i++) {
                    if (!after.get(i).hasDefaultValue()) {
                        problems.add(file + ": the new field " + previous.getName() + "."
                                + after.get(i).name() + " has no default");
                    }
                }
            }
            case ENUM -> {
                List<String> before = previous.getEnumSymbols();
                List<String> after = next.getEnumSymbols();
                if (after.size() < before.size()
                        || !after.subList(0, before.size()).equals(before)) {
                    problems.add(file + ": the symbols of " + previous.getName()
                            + " changed order or lost one; symbols may only be added at the end");
                }
            }
            case ARRAY -> appendOnly(file, previous.getElementType(), next.getElementType(), seen, problems);
            case MAP -> appendOnly(file, previous.getValueType(), next.getValueType(), seen, problems);
            case UNION -> {
                List<Schema> before = previous.getTypes();
                List<Schema> after = next.getTypes();
                for (int i = 0; i < Math.min(before.size(), after.size()); i++) {
                    appendOnly(file, before.get(i), after.get(i), seen, problems);
                }
            }
            default -> {
                // primitives and fixed: the compatibility check covers them
            }
        }
    }

    private static String incompatibilities(SchemaCompatibility.SchemaPairCompatibility result) {
        List<String> out = new ArrayList<>();
        for (SchemaCompatibility.Incompatibility i : result.getResult().getIncompatibilities()) {
            out.add(i.getType() + " at " + i.getLocation() + " (" + i.getMessage() + ")");
        }
        return String.join("; ", out);
    }

    /**
     * The generated classes' schemas carry {@code avro.java.string} on every string (a code-generation
     * setting, not part of the contract); the published files do not.
     */
    static Schema withoutJavaProps(Schema schema) {
        try {
            ObjectMapper json = new ObjectMapper();
            JsonNode tree = json.readTree(schema.toString());
            return new Schema.Parser().parse(json.writeValueAsString(strip(tree)));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode strip(JsonNode node) {
        if (node.isObject()) {
            ObjectNode object = (ObjectNode) node;
            object.remove("avro.java.string");
            if (object.size() == 1 && object.has("type") && object.get("type").isTextual()) {
                return object.get("type");
            }
            for (Map.Entry<String, JsonNode> e : iterable(object)) {
                object.set(e.getKey(), strip(e.getValue()));
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                ((ArrayNode) node).set(i, strip(node.get(i)));
            }
        }
        return node;
    }

    private static Iterable<Map.Entry<String, JsonNode>> iterable(ObjectNode object) {
        List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
        object.fields().forEachRemaining(entries::add);
        return entries;
    }
}
