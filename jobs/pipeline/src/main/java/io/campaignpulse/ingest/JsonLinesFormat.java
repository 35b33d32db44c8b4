package io.campaignpulse.ingest;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.SimpleStreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;

/**
 * A replay file of one topic, one JSON object per line, read by Flink's FileSource. Not
 * splittable, so line numbers (kept as dead letters' offsets) are exact.
 */
public final class JsonLinesFormat extends SimpleStreamFormat<Envelope> {

    private final String topic;
    private final JsonLineDecoder decoder;

    public JsonLinesFormat(String topic, InputTopics topics, EventTimeGuard eventTimes) {
        this.topic = topic;
        this.decoder = new JsonLineDecoder(topics, eventTimes);
    }

    @Override
    public Reader<Envelope> createReader(Configuration config, FSDataInputStream stream) {
        InputStream in = new BufferedInputStream(stream, 64 * 1024);
        return new Reader<>() {
            private long lineNumber;
            private final ByteArrayOutputStream line = new ByteArrayOutputStream(512);

            @Override
            public Envelope read() throws IOException {
                while (readLine()) {
                    lineNumber++;
                    byte[] raw = line.toByteArray();
                    if (raw.length > 0 && raw[raw.length - 1] == '\r') {
                        raw = Arrays.copyOf(raw, raw.length - 1); // a Windows line break
                    }
                    if (lineNumber == 1) {
                        raw = withoutByteOrderMark(raw);
                    }
                    if (!isBlank(raw)) {
                        return decoder.decode(topic, lineNumber, raw);
                    }
                }
                return null;
            }

            /** The next line's bytes, without its line break; false at the end of the file. */
            private boolean readLine() throws IOException {
                line.reset();
                int b = in.read();
                if (b < 0) {
                    return false;
                }
                while (b >= 0 && b != '\n') {
                    line.write(b);
                    b = in.read();
                }
                return true;
            }

            @Override
            public void close() throws IOException {
                in.close();
            }
        };
    }

    /** A UTF-8 byte-order mark (EF BB BF), which editors on some systems write first, is not content. */
    static byte[] withoutByteOrderMark(byte[] raw) {
        if (raw.length >= 3 && (raw[0] & 0xff) == 0xef && (raw[1] & 0xff) == 0xbb && (raw[2] & 0xff) == 0xbf) {
            return Arrays.copyOfRange(raw, 3, raw.length);
        }
        return raw;
    }

    private static boolean isBlank(byte[] raw) {
        for (byte b : raw) {
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    @Override
    public TypeInformation<Envelope> getProducedType() {
        return new AvroTypeInfo<>(Envelope.class);
    }
}
