package io.campaignpulse.sink;

import io.campaignpulse.ingest.AvroJson;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Writes records as plain JSON lines to one local file: the output of {@code pulse replay}.
 * Bounded runs only, at parallelism 1; the file is replaced at start.
 */
public final class JsonLinesSink<T extends SpecificRecord> implements Sink<T> {

    private final String file;

    public JsonLinesSink(Path file) {
        this.file = file.toAbsolutePath().toString();
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
        BufferedWriter out = Files.newBufferedWriter(
                Path.of(file),
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
        return new SinkWriter<>() {
            @Override
            public void write(T element, Context context) throws IOException {
                out.write(AvroJson.MAPPER.writeValueAsString(AvroJson.toJson(element)));
                out.newLine();
            }

            @Override
            public void flush(boolean endOfInput) throws IOException {
                out.flush();
            }

            @Override
            public void close() throws IOException {
                out.close();
            }
        };
    }
}
