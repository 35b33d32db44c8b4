package io.campaignpulse.customer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * The waiting events of a checkpoint as a few byte arrays, each a batch of Avro-encoded events
 * with the schema it was written with. One element of operator state per event cost a deep copy
 * in the checkpoint's synchronous phase, then a serializer call, a file-position system call and
 * an offset in the checkpoint's metadata per event, written by the job manager and read by every
 * instance on restore (a union list): in a backlog, with a drift's worth of events waiting, that
 * was a tenth of the job's CPU. A batch holds its writer schema, so a savepoint restores into a
 * release whose {@link PendingEvent} schema evolved, resolved as Avro resolves any data. Pure: no
 * Flink.
 */
final class WaitingEventBatches {

    /** Events per batch: a batch of typical events is a few hundred KiB, its schema a few KiB. */
    private static final int EVENTS_PER_BATCH = 4_096;

    private static final int FORMAT_VERSION = 1;
    private static final Schema SCHEMA = PendingEvent.getClassSchema();
    private static final String SCHEMA_JSON = SCHEMA.toString();
    private static final SpecificData MODEL = SpecificData.getForClass(PendingEvent.class);

    private final DatumWriter<PendingEvent> writer = new SpecificDatumWriter<>(SCHEMA, MODEL);
    /** Readers by writer schema: a restore reads the batches of every instance, mostly one schema. */
    private final Map<String, DatumReader<PendingEvent>> readers = new HashMap<>();

    private final int eventsPerBatch;

    WaitingEventBatches() {
        this(EVENTS_PER_BATCH);
    }

    WaitingEventBatches(int eventsPerBatch) {
        if (eventsPerBatch < 1) {
            throw new IllegalArgumentException("eventsPerBatch must be at least 1: " + eventsPerBatch);
        }
        this.eventsPerBatch = eventsPerBatch;
    }

    /** The events, in their order, as batches of at most {@code eventsPerBatch}; none for none. */
    List<byte[]> encode(List<PendingEvent> events) {
        List<byte[]> batches = new ArrayList<>(events.size() / eventsPerBatch + 1);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * 1024);
        BinaryEncoder encoder = null;
        try {
            for (int from = 0; from < events.size(); from += eventsPerBatch) {
                int to = Math.min(events.size(), from + eventsPerBatch);
                bytes.reset();
                encoder = EncoderFactory.get().binaryEncoder(bytes, encoder);
                encoder.writeInt(FORMAT_VERSION);
                encoder.writeString(SCHEMA_JSON);
                encoder.writeInt(to - from);
                for (int i = from; i < to; i++) {
                    writer.write(events.get(i), encoder);
                }
                encoder.flush();
                batches.add(bytes.toByteArray());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode the waiting events for a checkpoint", e);
        }
        return batches;
    }

    /**
     * The events of the batches, in their order, decoded as they are iterated (a restore keeps only
     * its own customers' of every instance's). A batch that cannot be read fails the restore with
     * what is wrong: its events would otherwise be lost without a trace.
     */
    Iterable<PendingEvent> decode(Iterable<byte[]> batches) {
        return () -> new Iterator<>() {
            private final Iterator<byte[]> next = batches.iterator();
            private int batch = -1;
            private BinaryDecoder decoder;
            private DatumReader<PendingEvent> reader;
            private int left;

            @Override
            public boolean hasNext() {
                while (left == 0 && next.hasNext()) {
                    open(next.next());
                }
                return left > 0;
            }

            @Override
            public PendingEvent next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                try {
                    PendingEvent event = reader.read(null, decoder);
                    left--;
                    if (left == 0 && !decoder.isEnd()) {
                        throw new IllegalStateException("bytes left over after its last event");
                    }
                    return event;
                } catch (IOException | RuntimeException e) {
                    throw corrupt(e);
                }
            }

            private void open(byte[] bytes) {
                batch++;
                try {
                    decoder = DecoderFactory.get().binaryDecoder(bytes, decoder);
                    int version = decoder.readInt();
                    if (version != FORMAT_VERSION) {
                        throw new IllegalStateException("unknown format version " + version
                                + " (this release reads version " + FORMAT_VERSION + ")");
                    }
                    reader = readerFor(decoder.readString());
                    left = decoder.readInt();
                    if (left < 0) {
                        throw new IllegalStateException("negative event count " + left);
                    }
                } catch (IOException | RuntimeException e) {
                    throw corrupt(e);
                }
            }

            private IllegalStateException corrupt(Exception cause) {
                return new IllegalStateException(
                        "waiting-event batch " + batch + " of the checkpoint cannot be read: " + cause.getMessage(),
                        cause);
            }
        };
    }

    private DatumReader<PendingEvent> readerFor(String writerSchema) {
        return readers.computeIfAbsent(writerSchema, json -> {
            Schema written;
            try {
                written = new Schema.Parser().parse(json);
            } catch (AvroRuntimeException e) {
                throw new IllegalStateException("its writer schema does not parse: " + e.getMessage(), e);
            }
            return new SpecificDatumReader<>(written, SCHEMA, MODEL);
        });
    }
}
