package io.campaignpulse.alerting;

import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.contract.DeadLetter;
import io.campaignpulse.contract.DeadLetterReason;
import jakarta.mail.Authenticator;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.PasswordAuthentication;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * Sends alert mail over SMTP (Jakarta Mail) off the task thread, with the webhooks' attempts
 * and backoff ({@code routing.max-attempts}, {@code routing.backoff}, each attempt limited to
 * {@code routing.timeout}); a mail that still fails is a DELIVERY_FAILED dead letter naming the
 * owner and the error's type. At least once, like webhooks: each mail carries an
 * {@code X-Campaign-Pulse-Id} header a mailbox rule can deduplicate on.
 */
public class EmailDelivery extends RichAsyncFunction<EmailMessage, DeadLetter> {

    private final PulseConfig.Routing routing;

    private transient Session session;
    private transient ExecutorService senders;
    private transient Counter sent;
    private transient Counter failed;

    public EmailDelivery(PulseConfig.Routing routing) {
        this.routing = routing;
    }

    /** Flink's limit for one mail, all attempts and backoffs included. */
    public static long totalTimeoutMs(PulseConfig.Routing r) {
        // Connecting, the greeting and the transfer each have the attempt's timeout.
        return 3 * WebhookDelivery.totalTimeoutMs(r);
    }

    @Override
    public void open(OpenContext openContext) {
        PulseConfig.Email e = routing.email();
        Properties p = new Properties();
        p.put("mail.smtp.host", e.smtpHost());
        p.put("mail.smtp.port", Integer.toString(e.smtpPort()));
        p.put("mail.smtp.starttls.enable", Boolean.toString(e.starttls()));
        p.put("mail.smtp.auth", Boolean.toString(!e.username().isEmpty()));
        String timeout = Long.toString(routing.timeout().toMillis());
        p.put("mail.smtp.connectiontimeout", timeout);
        p.put("mail.smtp.timeout", timeout);
        p.put("mail.smtp.writetimeout", timeout);
        session = e.username().isEmpty()
                ? Session.getInstance(p)
                : Session.getInstance(p, new Authenticator() {
                    @Override
                    protected PasswordAuthentication getPasswordAuthentication() {
                        return new PasswordAuthentication(e.username(), e.password());
                    }
                });
        senders = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "campaign-pulse-mail");
            t.setDaemon(true);
            return t;
        });
        sent = getRuntimeContext().getMetricGroup().counter("emailsSent");
        failed = getRuntimeContext().getMetricGroup().counter("emailFailures");
    }

    @Override
    public void close() {
        if (senders != null) {
            senders.shutdownNow();
        }
    }

    @Override
    public void asyncInvoke(EmailMessage mail, ResultFuture<DeadLetter> result) {
        CompletableFuture.runAsync(() -> send(mail, result), senders);
    }

    private void send(EmailMessage mail, ResultFuture<DeadLetter> result) {
        Exception last = null;
        for (int attempt = 1; attempt <= routing.maxAttempts(); attempt++) {
            try {
                MimeMessage m = new MimeMessage(session);
                m.setFrom(new InternetAddress(routing.email().from()));
                for (String to : mail.getTo()) {
                    m.addRecipient(Message.RecipientType.TO, new InternetAddress(to));
                }
                m.setSubject(mail.getSubject(), "UTF-8");
                m.setText(mail.getBody(), "UTF-8");
                m.setHeader("X-Campaign-Pulse-Id", mail.getMessageId());
                Transport.send(m);
                sent.inc();
                result.complete(List.of());
                return;
            } catch (MessagingException | RuntimeException e) {
                last = e;
                if (attempt < routing.maxAttempts()) {
                    try {
                        TimeUnit.MILLISECONDS.sleep(routing.backoff().toMillis() << (attempt - 1));
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
        }
        failed.inc();
        result.complete(List.of(deadLetter(
                mail,
                (last == null ? "interrupted" : last.getClass().getSimpleName()) + " after " + routing.maxAttempts()
                        + " attempt" + (routing.maxAttempts() == 1 ? "" : "s"))));
    }

    @Override
    public void timeout(EmailMessage mail, ResultFuture<DeadLetter> result) {
        failed.inc();
        result.complete(List.of(deadLetter(mail, "not sent within " + totalTimeoutMs(routing) + " ms")));
    }

    /** The mail's text, at most the 256 KiB a dead letter carries. */
    private static byte[] payload(EmailMessage mail) {
        byte[] text = (mail.getSubject() + "\n\n" + mail.getBody()).getBytes(StandardCharsets.UTF_8);
        return text.length <= 256 * 1024 ? text : Arrays.copyOf(text, 256 * 1024);
    }

    /** Names the owner and the error's type: never the SMTP credentials, nor the server's reply. */
    private static DeadLetter deadLetter(EmailMessage mail, String problem) {
        return DeadLetter.newBuilder()
                .setSourceTopic("email:" + mail.getOwner())
                .setSourcePartition(0)
                .setSourceOffset(UUID.nameUUIDFromBytes(mail.getMessageId().getBytes(StandardCharsets.UTF_8))
                        .getMostSignificantBits())
                .setKey(ByteBuffer.wrap(mail.getMessageId().getBytes(StandardCharsets.UTF_8)))
                .setPayload(ByteBuffer.wrap(payload(mail)))
                .setReason(DeadLetterReason.DELIVERY_FAILED)
                .setDetail(String.format(
                        Locale.ROOT,
                        "mail %s for owner %s (%d alert%s) not delivered: %s",
                        mail.getMessageId(),
                        mail.getOwner(),
                        mail.getAlertIds().size(),
                        mail.getAlertIds().size() == 1 ? "" : "s",
                        problem))
                .setDetectedAt(Instant.now())
                .build();
    }
}
