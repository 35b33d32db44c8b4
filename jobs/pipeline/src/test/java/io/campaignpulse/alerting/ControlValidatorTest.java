package io.campaignpulse.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import io.campaignpulse.contract.ControlAudit;
import io.campaignpulse.contract.ControlMessage;
import io.campaignpulse.contract.ControlScope;
import io.campaignpulse.contract.DeadLetter;
import io.campaignpulse.contract.DeadLetterReason;
import io.campaignpulse.ingest.Envelope;
import java.time.Instant;
import java.util.Map;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

/** Control messages: what is accepted, what is rejected and why, and that both are audited. */
class ControlValidatorTest {

    private static ControlMessage message(ControlScope scope, String target, Map<String, String> settings) {
        return ControlMessage.newBuilder()
                .setControlId("ctl-1")
                .setScope(scope)
                .setTarget(target)
                .setSettings(settings)
                .setAuthor("maria")
                .setReason("test")
                .setIssuedAt(Instant.parse("2026-11-22T10:00:00Z"))
                .build();
    }

    @Test
    void validMessagesPass() {
        assertThat(AlertControls.validate(message(ControlScope.CAMPAIGN, "C-PLAT", Map.of("mute", "true"))))
                .isNull();
        assertThat(AlertControls.validate(message(
                        ControlScope.KIND,
                        "MISFIRE_RATE",
                        Map.of("misfire-rate-share", "0.02", "cooldown", "30m", "misfire-rate-min-count", "5"))))
                .isNull();
        assertThat(AlertControls.validate(
                        message(ControlScope.GLOBAL, null, Map.of("resolve-after", "3h", "update-step", ""))))
                .as("'' resets")
                .isNull();
    }

    @Test
    void invalidMessagesAreRejectedWithAReasonThatNamesTheProblem() {
        assertThat(AlertControls.validate(message(ControlScope.CAMPAIGN, null, Map.of("mute", "true"))))
                .contains("needs a target");
        assertThat(AlertControls.validate(message(ControlScope.KIND, "MISFIRES", Map.of("mute", "true"))))
                .contains("unknown alert kind 'MISFIRES'");
        assertThat(AlertControls.validate(message(ControlScope.GLOBAL, "C-PLAT", Map.of("mute", "true"))))
                .contains("takes no target");
        assertThat(AlertControls.validate(message(ControlScope.GLOBAL, null, Map.of())))
                .isEqualTo("no settings to change");
        assertThat(AlertControls.validate(message(ControlScope.GLOBAL, null, Map.of("volume", "11"))))
                .startsWith("unknown setting 'volume'");
        assertThat(AlertControls.validate(message(ControlScope.GLOBAL, null, Map.of("misfire-rate-share", "5"))))
                .isEqualTo("bad value for 'misfire-rate-share': must be in (0, 1], was 5");
        assertThat(AlertControls.validate(message(ControlScope.GLOBAL, null, Map.of("cooldown", "soon"))))
                .isEqualTo("bad value for 'cooldown': 'soon' is not a duration");
        assertThat(AlertControls.validate(message(ControlScope.GLOBAL, null, Map.of("mute", "yes"))))
                .isEqualTo("bad value for 'mute': must be true or false, was yes");
        assertThat(AlertControls.validate(message(ControlScope.GLOBAL, null, Map.of("misfire-rate-min-count", "2.5"))))
                .isEqualTo("bad value for 'misfire-rate-min-count': '2.5' is not a count");
    }

    @Test
    void acceptedGoOnRejectedBecomeDeadLettersAndBothAreAudited() throws Exception {
        OneInputStreamOperatorTestHarness<Envelope, ControlMessage> h =
                ProcessFunctionTestHarnesses.forProcessFunction(new ControlValidator());
        ControlMessage good = message(ControlScope.CAMPAIGN, "C-PLAT", Map.of("mute", "true"));
        ControlMessage bad = ControlMessage.newBuilder(
                        message(ControlScope.GLOBAL, null, Map.of("misfire-rate-share", "5")))
                .setControlId("ctl-2")
                .build();
        h.processElement(new Envelope("pulse-control", 0, 7L, good), 0);
        h.processElement(new Envelope("pulse-control", 0, 8L, bad), 0);

        assertThat(h.extractOutputValues()).containsExactly(good);
        assertThat(h.getSideOutput(ControlValidator.AUDIT))
                .extracting(StreamRecord::getValue)
                .extracting(ControlAudit::getControlId, ControlAudit::getAccepted, ControlAudit::getRejection)
                .containsExactly(
                        Tuple.tuple("ctl-1", true, null),
                        Tuple.tuple("ctl-2", false, "bad value for 'misfire-rate-share': must be in (0, 1], was 5"));
        assertThat(h.getSideOutput(ControlValidator.REJECTED))
                .extracting(StreamRecord::getValue)
                .singleElement()
                .satisfies(d -> {
                    DeadLetter dl = (DeadLetter) d;
                    assertThat(dl.getReason()).isEqualTo(DeadLetterReason.INVALID_VALUE);
                    assertThat(dl.getSourceOffset()).isEqualTo(8L);
                    assertThat(dl.getDetail())
                            .startsWith("control message rejected: bad value for 'misfire-rate-share'");
                });
    }
}
