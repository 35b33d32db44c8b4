package io.campaignpulse.ingest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
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
        BufferedReader lines = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8));
        return new Reader<>() {
            private long lineNumber;

            @Override
            public Envelope read() throws IOException {
                String line;
                while ((line = lines.readLine()) != null) {
                    lineNumber++;
                    if (!line.isBlank()) {
                        return decoder.decode(topic, lineNumber, line);
                    }
                }
                return null;
            }

            @Override
            public void close() throws IOException {
                lines.close();
            }
        };
    }

    @Override
    public TypeInformation<Envelope> getProducedType() {
        return new AvroTypeInfo<>(Envelope.class);
    }
}
