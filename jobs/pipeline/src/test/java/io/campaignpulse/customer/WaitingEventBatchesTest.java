package io.campaignpulse.customer;

import static io.campaignpulse.Fixtures.envelope;
import static io.campaignpulse.Fixtures.holding;
import static io.campaignpulse.Fixtures.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.campaignpulse.contract.HoldingStatus;
import io.campaignpulse.customer.state.CustomerFacts;
import io.campaignpulse.customer.state.CustomerState;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.junit.jupiter.api.Test;

class WaitingEventBatchesTest {

    private static List<PendingEvent> events(int n) {
        List<PendingEvent> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String customer = "cust-" + (i % 3);
            if (i % 4 == 3) {
                // A parked send, with the customer's facts as of its sent_at.
                CustomerState asOf = CustomerFacts.empty();
                CustomerFacts.apply(asOf, holding(customer, "CARD-PLAT", HoldingStatus.ACTIVE, i));
                events.add(new PendingEvent(1_000L + i, envelope(send("s" + i, "C1", customer, i)), asOf));
            } else {
                events.add(new PendingEvent((long) i, envelope(send("s" + i, "C1", customer, i)), null));
            }
        }
        return events;
    }

    private static List<PendingEvent> list(Iterable<PendingEvent> events) {
        List<PendingEvent> list = new ArrayList<>();
        events.forEach(list::add);
        return list;
    }

    @Test
    void eventsComeBackInTheirOrderFromBatchesOfTheGivenSize() {
        WaitingEventBatches codec = new WaitingEventBatches(4);
        List<PendingEvent> events = events(10);

        List<byte[]> batches = codec.encode(events);

        assertThat(batches).hasSize(3);
        assertThat(list(new WaitingEventBatches(4).decode(batches))).containsExactlyElementsOf(events);
        assertThat(list(new WaitingEventBatches().decode(batches)))
                .as("the batch size is the writer's choice only")
                .containsExactlyElementsOf(events);
    }

    @Test
    void noEventsAreNoBatches() {
        WaitingEventBatches codec = new WaitingEventBatches();
        assertThat(codec.encode(List.of())).isEmpty();
        assertThat(codec.decode(List.of())).isEmpty();
    }

    /** A batch of an earlier release, written with its own schema of the event: one field more. */
    @Test
    void aBatchWrittenWithAnEarlierSchemaIsReadByThisOne() throws Exception {
        Schema current = PendingEvent.getClassSchema();
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : current.getFields()) {
            fields.add(new Schema.Field(f, f.schema()));
        }
        fields.add(new Schema.Field("attempts", Schema.create(Schema.Type.INT), "gone since", 0));
        Schema earlier =
                Schema.createRecord(current.getName(), current.getDoc(), current.getNamespace(), false, fields);
        List<PendingEvent> events = events(5);

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder out = EncoderFactory.get().binaryEncoder(bytes, null);
        out.writeInt(1);
        out.writeString(earlier.toString());
        out.writeInt(events.size());
        GenericDatumWriter<GenericRecord> writer =
                new GenericDatumWriter<>(earlier, SpecificData.getForClass(PendingEvent.class));
        for (PendingEvent e : events) {
            GenericData.Record r = new GenericData.Record(earlier);
            for (Schema.Field f : current.getFields()) {
                r.put(f.name(), e.get(f.pos()));
            }
            r.put("attempts", 7);
            writer.write(r, out);
        }
        out.flush();

        assertThat(list(new WaitingEventBatches().decode(List.of(bytes.toByteArray()))))
                .containsExactlyElementsOf(events);
    }

    @Test
    void aBatchThatCannotBeReadFailsTheRestoreSayingWhich() {
        WaitingEventBatches codec = new WaitingEventBatches(2);
        List<byte[]> batches = new ArrayList<>(codec.encode(events(4)));
        byte[] second = batches.get(1);
        batches.set(1, Arrays.copyOf(second, second.length - 10));

        assertThatThrownBy(() -> list(codec.decode(batches)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("waiting-event batch 1 of the checkpoint cannot be read");

        byte[] unknown = codec.encode(events(1)).get(0).clone();
        unknown[0] = 4; // zig-zag 2: a format this release does not know
        assertThatThrownBy(() -> list(codec.decode(List.of(unknown))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("unknown format version 2");
    }
}
