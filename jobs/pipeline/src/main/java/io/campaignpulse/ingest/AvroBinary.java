package io.campaignpulse.ingest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Plain Avro binary (the Kafka value format, as Flink's {@code 'format'='avro'} writes it: no
 * registry header). One instance per thread: it reuses its decoder and buffers.
 */
public final class AvroBinary {

    private BinaryDecoder decoder;
    private BinaryDecoder skipper;
    private BinaryEncoder encoder;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);

    /**
     * Decodes bytes written with the schema of {@code type}; rejects truncated records and
     * trailing bytes. A first pass skips through the record without allocating anything: Avro
     * allocates a string, array or map of the length a prefix announces before reading it, so 5
     * crafted bytes could otherwise ask for 2 GB; skipping meets the end of the bytes first.
     */
    public <T extends SpecificRecord> T decode(byte[] bytes, Class<T> type, SpecificDatumReader<T> reader)
            throws IOException {
        skipper = DecoderFactory.get().binaryDecoder(bytes, skipper);
        GenericDatumReader.skip(reader.getSchema(), skipper);
        if (!skipper.isEnd()) {
            throw new IOException("trailing bytes after a " + type.getSimpleName());
        }
        decoder = DecoderFactory.get().binaryDecoder(bytes, decoder);
        T record = reader.read(null, decoder);
        if (!decoder.isEnd()) {
            throw new IOException("trailing bytes after a " + type.getSimpleName());
        }
        return record;
    }

    @SuppressWarnings("unchecked")
    public byte[] encode(SpecificRecord record) {
        buffer.reset();
        encoder = EncoderFactory.get().binaryEncoder(buffer, encoder);
        try {
            new SpecificDatumWriter<>((Class<SpecificRecord>) record.getClass()).write(record, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.toByteArray();
    }

    /** Convenience for code that encodes rarely (tests, the generator). */
    public static byte[] toBytes(SpecificRecord record) {
        return new AvroBinary().encode(record);
    }
}
