package io.campaignpulse.sink;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.types.Row;

/**
 * One PostgreSQL output table, declared once: each column's name, type and how its value is
 * taken from the record. The declaration gives the Flink row type, the row of a record, and the
 * Flink SQL columns of the JDBC sink (primary key included); a test checks it against
 * the migrations in {@code db/migration}.
 *
 * @param <T> the record a row is made from
 */
public final class OutputTable<T> implements Serializable {

    private static final long serialVersionUID = 1L;

    /** How a record's value is read; may throw (JSON encoding). */
    @FunctionalInterface
    public interface Extractor<T> extends Serializable {
        Object get(T record) throws Exception;
    }

    /** A column's type: the Flink type of the row field, its Flink SQL name, and the PostgreSQL types it may land in. */
    public enum ColumnType {
        TEXT(Types.STRING, "STRING", "text"),
        /** Text that PostgreSQL stores as jsonb (the connection casts it: stringtype=unspecified). */
        JSON(Types.STRING, "STRING", "jsonb"),
        INT(Types.INT, "INT", "integer"),
        BIGINT(Types.LONG, "BIGINT", "bigint"),
        DOUBLE(Types.DOUBLE, "DOUBLE", "double precision"),
        BOOLEAN(Types.BOOLEAN, "BOOLEAN", "boolean"),
        /** An instant, written as this JVM's local time: see {@link #local}. */
        TIMESTAMP(Types.LOCAL_DATE_TIME, "TIMESTAMP(3)", "timestamp with time zone"),
        BYTES(Types.PRIMITIVE_ARRAY(Types.BYTE), "BYTES", "bytea");

        final TypeInformation<?> flink;
        final String sql;
        /** The PostgreSQL type (information_schema.columns.data_type) the column must have. */
        public final String postgres;

        ColumnType(TypeInformation<?> flink, String sql, String postgres) {
            this.flink = flink;
            this.sql = sql;
            this.postgres = postgres;
        }
    }

    /** One column; key columns form the primary key, in declaration order. */
    public record Column<T>(String name, ColumnType type, boolean key, Extractor<T> extractor)
            implements Serializable {}

    private final String name;
    private final List<Column<T>> columns;

    private OutputTable(String name, List<Column<T>> columns) {
        this.name = name;
        this.columns = List.copyOf(columns);
    }

    public static <T> Builder<T> named(String name) {
        return new Builder<>(name);
    }

    public String name() {
        return name;
    }

    public List<Column<T>> columns() {
        return columns;
    }

    public List<String> primaryKey() {
        return columns.stream().filter(Column::key).map(Column::name).toList();
    }

    /** The Flink row type: named fields in column order. */
    public TypeInformation<Row> rowType() {
        return Types.ROW_NAMED(
                columns.stream().map(Column::name).toArray(String[]::new),
                columns.stream().map(c -> c.type().flink).toArray(TypeInformation[]::new));
    }

    /** A record's row. */
    public Row row(T record) throws Exception {
        Object[] values = new Object[columns.size()];
        for (int i = 0; i < values.length; i++) {
            Column<T> c = columns.get(i);
            values[i] = convert(c.type(), c.extractor().get(record));
        }
        return Row.of(values);
    }

    /** The columns of the Flink SQL sink table, names quoted (key, scope and target are reserved words). */
    public String flinkColumns() {
        String cols = columns.stream()
                .map(c -> "`" + c.name() + "` " + c.type().sql + (c.key() ? " NOT NULL" : ""))
                .collect(Collectors.joining(", "));
        return cols + ", PRIMARY KEY ("
                + primaryKey().stream().map(k -> "`" + k + "`").collect(Collectors.joining(", "))
                + ") NOT ENFORCED";
    }

    private static Object convert(ColumnType type, Object value) {
        if (value == null) {
            return null;
        }
        return switch (type) {
            case TIMESTAMP -> value instanceof Instant i ? local(i) : value;
            case BYTES -> value instanceof ByteBuffer b ? bytes(b) : value;
            case TEXT -> value instanceof Enum<?> e ? e.name() : value.toString();
            default -> value;
        };
    }

    /**
     * The JDBC connector writes TIMESTAMP values with {@code Timestamp.valueOf(localDateTime)},
     * i.e. in this JVM's zone, and the driver sends them with this zone's offset; so a local
     * time in the same zone round-trips to the exact instant in the timestamptz columns.
     * (TIMESTAMP_LTZ, the natural type, is refused by the connector's converter.)
     */
    private static LocalDateTime local(Instant instant) {
        return LocalDateTime.ofInstant(instant, ZoneId.systemDefault());
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] out = new byte[copy.remaining()];
        copy.get(out);
        return out;
    }

    public static final class Builder<T> {
        private final String name;
        private final List<Column<T>> columns = new ArrayList<>();

        private Builder(String name) {
            this.name = name;
        }

        /** A primary-key column (NOT NULL). */
        public Builder<T> key(String column, ColumnType type, Extractor<T> extractor) {
            columns.add(new Column<>(column, type, true, extractor));
            return this;
        }

        public Builder<T> column(String column, ColumnType type, Extractor<T> extractor) {
            columns.add(new Column<>(column, type, false, extractor));
            return this;
        }

        public OutputTable<T> build() {
            if (columns.stream().noneMatch(Column::key)) {
                throw new IllegalStateException(name + ": an output table needs a primary key to upsert on");
            }
            return new OutputTable<>(name, columns);
        }
    }
}
