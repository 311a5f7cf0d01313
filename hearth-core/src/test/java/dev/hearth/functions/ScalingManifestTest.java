package dev.hearth.functions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/** The manifest's autoscaling and schedule keys, and live updates over them. */
class ScalingManifestTest {

    static FunctionManifest parse(String extra) {
        return ManifestParser.parse("name: a\nhandler: h.py:f\n" + extra);
    }

    @Test
    void everyScalingKeyIsRead() {
        ScalingConfig s = parse("""
                scaling:
                  minWorkers: 1
                  maxWorkers: 8
                  bufferWorkers: 2
                  idleTimeout: 30s
                  concurrency: 4
                  targetConcurrency: 3
                  scaler: queueDelay
                  scalerValue: 10
                  schedule:
                    - {cron: "0 9 * * 1-5", minWorkers: 4, duration: 8h}
                """).scaling();

        assertThat(s.bufferWorkers()).isEqualTo(2);
        assertThat(s.targetConcurrency()).isEqualTo(3.0);
        assertThat(s.scaler()).isEqualTo(Scaler.QUEUE_DELAY);
        assertThat(s.effectiveScalerValue()).isEqualTo(10.0);
        assertThat(s.schedule()).singleElement().satisfies(f -> {
            assertThat(f.cron().toString()).isEqualTo("0 9 * * 1-5");
            assertThat(f.minWorkers()).isEqualTo(4);
            assertThat(f.duration()).isEqualTo(Duration.ofHours(8));
        });
    }

    @Test
    void defaultsFollowConcurrencyAndTheScaler() {
        ScalingConfig s = parse("scaling: {concurrency: 4}\n").scaling();

        assertThat(s.targetConcurrency()).isEqualTo(4.0);
        assertThat(s.scaler()).isEqualTo(Scaler.REQUEST_COUNT);
        assertThat(s.effectiveScalerValue()).isEqualTo(4.0);
        assertThat(parse("scaling: {scaler: queueDelay}\n").scaling().effectiveScalerValue()).isEqualTo(4.0);
    }

    @Test
    void aScheduledFunctionHasACronInputAndZone() {
        FunctionManifest m = parse("""
                schedule: "*/5 * * * *"
                scheduleInput: {report: daily}
                timeZone: Europe/Paris
                """);

        assertThat(m.schedule().cron().toString()).isEqualTo("*/5 * * * *");
        assertThat(m.schedule().inputJson()).isEqualTo("{\"report\":\"daily\"}");
        assertThat(m.schedule().zone()).isEqualTo(ZoneId.of("Europe/Paris"));
        assertThat(parse("schedule: '@hourly'\n").schedule().inputJson()).isEqualTo("{}");
        assertThat(parse("").schedule()).isNull();
    }

    @Test
    void badValuesNameTheField() {
        assertThatThrownBy(() -> parse("scaling: {scaler: fast}\n")).isInstanceOf(ManifestException.class)
                .hasMessageContaining("'scaling.scaler'").hasMessageContaining("queueDelay");
        assertThatThrownBy(() -> parse("scaling: {concurrency: 2, targetConcurrency: 3}\n"))
                .hasMessageContaining("'scaling.targetConcurrency'");
        assertThatThrownBy(() -> parse("scaling: {scalerValue: 0}\n")).hasMessageContaining("'scaling.scalerValue'");
        assertThatThrownBy(() -> parse("scaling: {bufferWorkers: -1}\n"))
                .hasMessageContaining("'scaling.bufferWorkers'");
        assertThatThrownBy(() -> parse("scaling: {schedule: [{cron: '0 25 * * *', minWorkers: 1, duration: 1h}]}\n"))
                .hasMessageContaining("'scaling.schedule[0].cron'").hasMessageContaining("hour");
        assertThatThrownBy(() -> parse("scaling: {schedule: [{cron: '0 9 * * *', minWorkers: 1}]}\n"))
                .hasMessageContaining("'scaling.schedule[0].duration' is required");
        assertThatThrownBy(() -> parse("scaling: {maxWorkers: 2, schedule: [{cron: '0 9 * * *', minWorkers: 3, "
                + "duration: 1h}]}\n")).hasMessageContaining("more than 'scaling.maxWorkers'");
        assertThatThrownBy(() -> parse("scaling: {schedule: [{cron: '0 9 * * *', min: 3, duration: 1h}]}\n"))
                .hasMessageContaining("unknown field 'scaling.schedule[0].min'");
        assertThatThrownBy(() -> parse("schedule: '61 * * * *'\n")).hasMessageContaining("'schedule'")
                .hasMessageContaining("minute");
        assertThatThrownBy(() -> parse("scheduleInput: {a: 1}\n")).hasMessageContaining("'schedule'");
        assertThatThrownBy(() -> parse("timeZone: Mars/Olympus\n")).hasMessageContaining("'timeZone'");
    }

    @Test
    void aLiveUpdateChangesOnlyWhatItNames() {
        ScalingConfig base = parse("scaling: {minWorkers: 0, maxWorkers: 4, concurrency: 2, scalerValue: 3}\n")
                .scaling();

        ScalingConfig s = base.with(new ScalingUpdate(1, 8, 1, Duration.ofSeconds(30), null, null, null));

        assertThat(s).isEqualTo(new ScalingConfig(1, 8, Duration.ofSeconds(30), 2, 1, 2, Scaler.REQUEST_COUNT, 3,
                base.schedule()));
        // a new scaler without a value takes that scaler's default
        assertThat(base.with(new ScalingUpdate(null, null, null, null, null, Scaler.QUEUE_DELAY, null))
                .effectiveScalerValue()).isEqualTo(4.0);
        assertThatThrownBy(() -> base.with(new ScalingUpdate(5, null, null, null, null, null, null)))
                .hasMessageContaining("'scaling.maxWorkers' (4) must be at least 'scaling.minWorkers' (5)");
    }
}
