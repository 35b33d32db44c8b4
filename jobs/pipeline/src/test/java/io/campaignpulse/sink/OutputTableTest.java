package io.campaignpulse.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.campaignpulse.contract.MisfireRule;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Map;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.junit.jupiter.api.Test;

/** A record's row in Flink's internal format, as the JDBC sink reads it, for every column type. */
class OutputTableTest {

    private static final Instant AT = Instant.parse("2026-11-26T09:05:00.123Z");

    private static final OutputTable<Map<String, Object>> TABLE = OutputTable.<Map<String, Object>>named("probe")
            .key("id", OutputTable.ColumnType.TEXT, m -> m.get("id"))
            .column("rule", OutputTable.ColumnType.TEXT, m -> m.get("rule"))
            .column("detail", OutputTable.ColumnType.JSON, m -> m.get("detail"))
            .column("n", OutputTable.ColumnType.INT, m -> m.get("n"))
            .column("total", OutputTable.ColumnType.BIGINT, m -> m.get("total"))
            .column("score", OutputTable.ColumnType.DOUBLE, m -> m.get("score"))
            .column("flag", OutputTable.ColumnType.BOOLEAN, m -> m.get("flag"))
            .column("at", OutputTable.ColumnType.TIMESTAMP, m -> m.get("at"))
            .column("raw", OutputTable.ColumnType.BYTES, m -> m.get("raw"))
            .build();

    @Test
    void everyColumnTypeLandsInItsInternalClass() throws Exception {
        RowData row = TABLE.row(Map.of(
                "id",
                "s-1",
                "rule",
                MisfireRule.ALREADY_HOLDS_PRODUCT,
                "detail",
                "{\"a\":1}",
                "n",
                3,
                "total",
                7, // an int where a long is declared is widened, not refused
                "score",
                -0.5,
                "flag",
                true,
                "at",
                AT,
                "raw",
                ByteBuffer.wrap(new byte[] {1, 2})));

        assertThat(row.getArity()).isEqualTo(9);
        assertThat(row.getString(0)).isEqualTo(StringData.fromString("s-1"));
        assertThat(row.getString(1).toString()).isEqualTo("ALREADY_HOLDS_PRODUCT");
        assertThat(row.getString(2).toString()).isEqualTo("{\"a\":1}");
        assertThat(row.getInt(3)).isEqualTo(3);
        assertThat(row.getLong(4)).isEqualTo(7L);
        assertThat(row.getDouble(5)).isEqualTo(-0.5);
        assertThat(row.getBoolean(6)).isTrue();
        // The JDBC connector writes Timestamp.valueOf(local time): this JVM's zone round-trips the instant.
        assertThat(row.getTimestamp(7, 3))
                .isEqualTo(TimestampData.fromLocalDateTime(LocalDateTime.ofInstant(AT, ZoneId.systemDefault())));
        assertThat(row.getTimestamp(7, 3).toTimestamp().toInstant()).isEqualTo(AT);
        assertThat(row.getBinary(8)).containsExactly(1, 2);
    }

    @Test
    void nullsStayNullAndTheRowTypeDeclaresEveryColumnNullable() throws Exception {
        RowData row = TABLE.row(Map.of("id", "s-2"));

        for (int i = 1; i < row.getArity(); i++) {
            assertThat(row.isNullAt(i)).as("column %d", i).isTrue();
        }
        assertThat(TABLE.rowType().toRowType().getFieldNames())
                .containsExactly("id", "rule", "detail", "n", "total", "score", "flag", "at", "raw");
        assertThat(TABLE.rowType().toRowType().getChildren())
                .allMatch(t -> t.isNullable())
                .extracting(t -> t.getTypeRoot())
                .containsExactly(
                        LogicalTypeRoot.VARCHAR,
                        LogicalTypeRoot.VARCHAR,
                        LogicalTypeRoot.VARCHAR,
                        LogicalTypeRoot.INTEGER,
                        LogicalTypeRoot.BIGINT,
                        LogicalTypeRoot.DOUBLE,
                        LogicalTypeRoot.BOOLEAN,
                        LogicalTypeRoot.TIMESTAMP_WITHOUT_TIME_ZONE,
                        LogicalTypeRoot.VARBINARY);
    }

    @Test
    void aValueOfTheWrongKindFailsWithTheTypesNamed() {
        assertThatThrownBy(() -> TABLE.row(Map.of("id", "s-3", "n", "three"))).isInstanceOf(ClassCastException.class);
    }
}
