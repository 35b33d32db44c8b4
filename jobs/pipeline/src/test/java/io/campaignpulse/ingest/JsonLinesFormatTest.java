package io.campaignpulse.ingest;

import static io.campaignpulse.Fixtures.config;
import static org.assertj.core.api.Assertions.assertThat;

import io.campaignpulse.contract.ConsentChange;
import io.campaignpulse.contract.DeadLetter;
import io.campaignpulse.contract.DeadLetterReason;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.local.LocalDataInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Replay files as editors and exports write them: byte-order marks, Windows line breaks, bytes that are not UTF-8. */
class JsonLinesFormatTest {

    private static final String CONSENT = "{\"customer_id\":\"%s\",\"opted_in\":false,\"changed_at\":1795165200000}";

    @TempDir
    Path dir;

    private List<Object> read(byte[] file) throws Exception {
        Path path = dir.resolve("customer-consent.jsonl");
        Files.write(path, file);
        JsonLinesFormat format = new JsonLinesFormat(
                "customer-consent", new InputTopics(config().topics()), new EventTimeGuard(config().eventTime()));
        List<Object> out = new ArrayList<>();
        try (StreamFormat.Reader<Envelope> reader =
                format.createReader(new Configuration(), new LocalDataInputStream(path.toFile()))) {
            for (Envelope e = reader.read(); e != null; e = reader.read()) {
                out.add(e.getPayload());
            }
        }
        return out;
    }

    @Test
    void aByteOrderMarkAndWindowsLineBreaksAreNotContent() throws Exception {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.write(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf});
        file.write((CONSENT.formatted("c1") + "\r\n\r\n" + CONSENT.formatted("c2") + "\r\n")
                .getBytes(StandardCharsets.UTF_8));
        assertThat(read(file.toByteArray()))
                .hasSize(2)
                .allSatisfy(p -> assertThat(p).isInstanceOf(ConsentChange.class))
                .extracting(p -> ((ConsentChange) p).getCustomerId())
                .containsExactly("c1", "c2");
    }

    @Test
    void bytesThatAreNotUtf8AreADeadLetterNotAReplacementCharacter() throws Exception {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.write((CONSENT.formatted("c1") + "\n").getBytes(StandardCharsets.UTF_8));
        // "c\xe9" in Latin-1: an export in the wrong encoding.
        file.write(CONSENT.formatted("c\u00e9").getBytes(StandardCharsets.ISO_8859_1));
        List<Object> payloads = read(file.toByteArray());
        assertThat(payloads.get(0)).isInstanceOf(ConsentChange.class);
        DeadLetter dl = (DeadLetter) payloads.get(1);
        assertThat(dl.getReason()).isEqualTo(DeadLetterReason.DECODE_ERROR);
        assertThat(dl.getDetail()).isEqualTo("not valid UTF-8 text");
        assertThat(dl.getSourceOffset()).as("line number").isEqualTo(2);
        assertThat(dl.getPayload().remaining())
                .as("the raw bytes, unchanged")
                .isEqualTo(CONSENT.formatted("c\u00e9").length());
    }
}
