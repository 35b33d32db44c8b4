package io.campaignpulse.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.contract.DeadLetter;
import io.campaignpulse.contract.DeadLetterReason;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Alert mail delivered by the job's asynchronous delivery to a real SMTP server (GreenMail) with authentication. */
class EmailDeliveryTest {

    private static final int SMTP_PORT = freePort();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(1)
            .build());

    @RegisterExtension
    static final GreenMailExtension SMTP = new GreenMailExtension(new ServerSetup(SMTP_PORT, "127.0.0.1", "smtp"))
            .withConfiguration(GreenMailConfiguration.aConfig().withUser("pulse", "s3cret"));

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static PulseConfig.Routing routing(int port) {
        return new PulseConfig.Routing(
                List.of(),
                Duration.ofSeconds(2),
                2,
                Duration.ofMillis(100),
                10,
                "",
                new PulseConfig.Email(
                        true,
                        "127.0.0.1",
                        port,
                        false,
                        "pulse",
                        "s3cret",
                        "campaign-pulse@bank.example",
                        Duration.ofHours(24),
                        List.of(new PulseConfig.Recipients("*", List.of("ops@bank.example")))));
    }

    private static List<DeadLetter> deliver(PulseConfig.Routing routing, List<EmailMessage> mails) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        List<DeadLetter> undelivered = new ArrayList<>();
        try (CloseableIterator<DeadLetter> it = AsyncDataStream.unorderedWait(
                        env.fromData(mails, new AvroTypeInfo<>(EmailMessage.class)),
                        new EmailDelivery(routing),
                        EmailDelivery.totalTimeoutMs(routing),
                        TimeUnit.MILLISECONDS,
                        10)
                .returns(new AvroTypeInfo<>(DeadLetter.class))
                .executeAndCollect()) {
            it.forEachRemaining(undelivered::add);
        }
        return undelivered;
    }

    @Test
    void mailsReachTheServerWithTheirRecipientsSubjectAndText() throws Exception {
        List<EmailMessage> mails = List.of(
                new EmailMessage(
                        "a1#1",
                        "cards-team",
                        List.of("cards-lead@bank.example", "ops@bank.example"),
                        "[CRITICAL] Platinum Card Push is reaching current holders",
                        "Count: 42\nSuggested action: exclude current holders.\nMute: pulse control --campaign C-PLAT --mute",
                        List.of("a1")),
                new EmailMessage(
                        "digest:savings-team:3600000",
                        "savings-team",
                        List.of("ops@bank.example"),
                        "Campaign Pulse: 1 open incident for savings-team",
                        "1 open incident for savings-team … Ünïcödé",
                        List.of("a3")));

        assertThat(deliver(routing(SMTP_PORT), mails)).isEmpty();

        assertThat(SMTP.waitForIncomingEmail(10_000, 3)).isTrue();
        MimeMessage[] received = SMTP.getReceivedMessages();
        assertThat(received).hasSize(3); // one per recipient
        // Sent concurrently: found by subject, not by arrival.
        MimeMessage critical = withSubjectStarting(received, "[CRITICAL]");
        assertThat(critical.getSubject()).isEqualTo("[CRITICAL] Platinum Card Push is reaching current holders");
        assertThat(critical.getFrom()[0].toString()).isEqualTo("campaign-pulse@bank.example");
        assertThat(critical.getRecipients(Message.RecipientType.TO))
                .extracting(Object::toString)
                .containsExactlyInAnyOrder("cards-lead@bank.example", "ops@bank.example");
        assertThat(critical.getHeader("X-Campaign-Pulse-Id")).containsExactly("a1#1");
        assertThat(((String) critical.getContent())).contains("Suggested action", "pulse control --campaign C-PLAT");
        MimeMessage digest = withSubjectStarting(received, "Campaign Pulse:");
        assertThat((String) digest.getContent()).contains("Ünïcödé");
    }

    private static MimeMessage withSubjectStarting(MimeMessage[] received, String start) throws Exception {
        for (MimeMessage m : received) {
            if (m.getSubject().startsWith(start)) {
                return m;
            }
        }
        throw new AssertionError("no mail whose subject starts with " + start);
    }

    @Test
    void aServerThatIsDownLeavesADeadLetterNamingTheOwnerNotTheCredentials() throws Exception {
        List<DeadLetter> undelivered = deliver(
                routing(freePort()), // nobody listens there
                List.of(new EmailMessage("a9#1", "cards-team", List.of("x@bank.example"), "s", "b", List.of("a9"))));
        assertThat(undelivered).singleElement().satisfies(d -> {
            assertThat(d.getReason()).isEqualTo(DeadLetterReason.DELIVERY_FAILED);
            assertThat(d.getSourceTopic()).isEqualTo("email:cards-team");
            assertThat(d.getDetail()).contains("after 2 attempts").doesNotContain("s3cret", "pulse@");
        });
    }
}
