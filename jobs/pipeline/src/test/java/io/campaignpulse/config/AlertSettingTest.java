package io.campaignpulse.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.campaignpulse.Fixtures;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The runtime-changeable alerting settings: one declaration each, for conf/pulse.yaml and control messages alike. */
class AlertSettingTest {

    private final PulseConfig.Alerting defaults = Fixtures.config().alerting();

    @Test
    void everySettingButMuteIsAnAlertingKeyOfTheConfigurationAndItsDefaultIsValid() {
        for (AlertSetting<?> s : AlertSetting.all()) {
            Object configured = s.configured(defaults);
            assertThat(configured).as(s.name()).isNotNull();
            if (s == AlertSetting.MUTE) {
                continue;
            }
            String text = configured instanceof Duration d ? d.toMillis() + "ms" : configured.toString();
            assertThat(s.check(s.name(), text)).as(s.name()).isNull();
            // The same value through the configuration's own key: accepted and read back.
            PulseConfig c = Fixtures.config(Map.of("alerting." + s.name(), text));
            assertThat(s.configured(c.alerting())).as(s.name()).isEqualTo(configured);
        }
    }

    @Test
    void aBadValueInTheConfigurationNamesTheKeyAndTheRange() {
        assertThatThrownBy(() -> Fixtures.config(Map.of("alerting.misfire-rate-share", "5")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("bad value for 'alerting.misfire-rate-share': must be in (0, 1], was 5.0");
        assertThatThrownBy(() -> Fixtures.config(Map.of("alerting.resolve-after", "500ms")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("bad value for 'alerting.resolve-after': must be from 1s to 365d, was 500ms");
        assertThatThrownBy(() -> Fixtures.config(Map.of("alerting.ticket-surge-baseline-factor", "0.5")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'alerting.ticket-surge-baseline-factor': must be at least 1");
    }

    @Test
    void controlValuesAreCheckedAndReadByTheirType() {
        assertThat(AlertSetting.checkNamed("volume", "11")).startsWith("unknown setting 'volume': one of mute, ");
        assertThat(AlertSetting.checkNamed("cooldown", "")).as("empty resets").isNull();
        assertThat(AlertSetting.checkNamed("mute", "yes"))
                .isEqualTo("bad value for 'mute': must be true or false, was yes");
        assertThat(AlertSetting.checkNamed("sentiment-drop-below-baseline", "2.5"))
                .isEqualTo("bad value for 'sentiment-drop-below-baseline': must be in (0, 2], was 2.5");
        assertThat(AlertSetting.checkNamed("ticket-surge-min-sends", "ten"))
                .isEqualTo("bad value for 'ticket-surge-min-sends': 'ten' is not a count");
        assertThat(AlertSetting.COOLDOWN.parse(" 30m ")).isEqualTo(Duration.ofMinutes(30));
        // Accepted once, then an overflow inside the incident tracker: a crash loop from broadcast state.
        assertThat(AlertSetting.checkNamed("cooldown", "9999999999999d"))
                .isEqualTo("bad value for 'cooldown': must be from 0 to 365d, was 9999999999999d");
        assertThat(AlertSetting.checkNamed("resolve-after", "99999999999999999999999h"))
                .isEqualTo("bad value for 'resolve-after': '99999999999999999999999h' is not a positive duration");
        assertThat(AlertSetting.MUTE.parse("TRUE")).isTrue();
        assertThat(AlertSetting.MISFIRE_RATE_MIN_COUNT.parse("7")).isEqualTo(7);
        assertThat(AlertSetting.named("update-step")).isSameAs(AlertSetting.UPDATE_STEP);
        assertThat(AlertSetting.names()).contains("misfire-rate-share").doesNotContain("examples");
    }
}
