package io.campaignpulse.sink;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.BooleanType;
import org.apache.flink.table.types.logical.DoubleType;
import org.apache.flink.table.types.logical.IntType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.TimestampType;
import org.apache.flink.table.types.logical.VarBinaryType;
import org.apache.flink.table.types.logical.VarCharType;

/**
 * One PostgreSQL output table, declared once: each column's name, type and how its value is
 * taken from the record. The declaration gives the Flink row type, the row of a record, and the
 * Flink SQL columns of the JDBC sink (primary key included); a test checks it against
 * the migrations in {@code db/migration}. Rows are built in Flink's internal format (RowData), so
 * the Table API takes them in as they are, with no conversion per row and column.
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
        TEXT(new VarCharType(VarCharType.MAX_LENGTH), "STRING", "text"),
        /** Text that PostgreSQL stores as jsonb (the connection casts it: stringtype=unspecified). */
        JSON(new VarCharType(VarCharType.MAX_LENGTH), "STRING", "jsonb"),
        INT(new IntType(), "INT", "integer"),
        BIGINT(new BigIntType(), "BIGINT", "bigint"),
        DOUBLE(new DoubleType(), "DOUBLE", "double precision"),
        BOOLEAN(new BooleanType(), "BOOLEAN", "boolean"),
        /** An instant, written as this JVM's local time: see {@link #local}. */
        TIMESTAMP(new TimestampType(3), "TIMESTAMP(3)", "timestamp with time zone"),
        BYTES(new VarBinaryType(VarBinaryType.MAX_LENGTH), "BYTES", "bytea");

        private final LogicalType flink;
        final String sql;
        /** The PostgreSQL type (information_schema.columns.data_type) the column must have. */
        public final String postgres;

        ColumnType(LogicalType flink, String sql, String postgres) {
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

    /** The Flink row type: named fields in column order, every one nullable (the sink enforces the key's NOT NULL). */
    public InternalTypeInfo<RowData> rowType() {
        return InternalTypeInfo.of(RowType.of(
                columns.stream().map(c -> c.type().flink).toArray(LogicalType[]::new),
                columns.stream().map(Column::name).toArray(String[]::new)));
    }

    /** A record's row, in Flink's internal format. */
    public RowData row(T record) throws Exception {
        GenericRowData row = new GenericRowData(columns.size());
        for (int i = 0; i < columns.size(); i++) {
            Column<T> c = columns.get(i);
            row.setField(i, internal(c.type(), c.extractor().get(record)));
        }
        return row;
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

    /** A value as the row holds it: strings, timestamps and numbers in Flink's internal classes. */
    static Object internal(ColumnType type, Object value) {
        if (value == null) {
            return null;
        }
        return switch (type) {
            case TEXT -> StringData.fromString(value instanceof Enum<?> e ? e.name() : value.toString());
            case JSON -> StringData.fromString(value.toString());
            case INT -> ((Number) value).intValue();
            case BIGINT -> ((Number) value).longValue();
            case DOUBLE -> ((Number) value).doubleValue();
            case BOOLEAN -> (Boolean) value;
            case TIMESTAMP ->
                TimestampData.fromLocalDateTime(value instanceof Instant i ? local(i) : (LocalDateTime) value);
            case BYTES -> value instanceof ByteBuffer b ? bytes(b) : (byte[]) value;
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
