package dev.hearth.replicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.jobs.JobState;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a Replicate client sends, read as Replicate reads it. */
class ReplicateHeadersTest {

    @Test
    void preferWaitHoldsUpToSixtySecondsOrTheGivenWholeNumber() {
        assertThat(PreferWait.parse("wait")).contains(Duration.ofSeconds(60));
        assertThat(PreferWait.parse("wait=5")).contains(Duration.ofSeconds(5));
        assertThat(PreferWait.parse("respond-async, wait=60")).contains(Duration.ofSeconds(60));
        assertThat(PreferWait.parse(null)).isEmpty();
        assertThat(PreferWait.parse("respond-async")).isEmpty();
    }

    @Test
    void preferWaitOutOfRangeIsRefusedWithTheFormsItTakes() {
        for (String bad : List.of("wait=0", "wait=61", "wait=abc", "wait=")) {
            assertThatThrownBy(() -> PreferWait.parse(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("from 1 to 60");
        }
    }

    @Test
    void cancelAfterTakesUnitsAndBareSeconds() {
        assertThat(CancelAfter.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(CancelAfter.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(CancelAfter.parse("1h30m45s")).isEqualTo(Duration.ofSeconds(5445));
        assertThat(CancelAfter.parse("90")).isEqualTo(Duration.ofSeconds(90));
        assertThat(CancelAfter.parse("5500ms")).isEqualTo(Duration.ofMillis(5500));
    }

    @Test
    void cancelAfterBelowFiveSecondsOrMalformedIsRefused() {
        assertThatThrownBy(() -> CancelAfter.parse("4s")).hasMessageContaining("from 5s");
        assertThatThrownBy(() -> CancelAfter.parse("soon")).hasMessageContaining("30s, 5m, 1h30m45s");
        assertThatThrownBy(() -> CancelAfter.parse("-10")).hasMessageContaining("not a duration");
    }

    @Test
    void modelRefsInEveryForm() {
        String sha = "a".repeat(64);
        assertThat(ModelRef.parse("acme/echo")).isEqualTo(new ModelRef("acme", "echo", null, null));
        assertThat(ModelRef.parse("acme/echo:" + sha)).isEqualTo(new ModelRef("acme", "echo", null, sha));
        assertThat(ModelRef.parse(sha.toUpperCase())).isEqualTo(new ModelRef(null, null, null, sha));
        assertThat(ModelRef.parse("echo:2")).isEqualTo(new ModelRef(null, "echo", 2, null));
        assertThat(ModelRef.parse("acme/echo:3")).isEqualTo(new ModelRef("acme", "echo", 3, null));
    }

    @Test
    void aModelRefThatIsNoneOfTheFormsIsRefused() {
        for (String bad : List.of("", "echo", "acme/echo:abc", "a/b/c", "echo:0", "/echo")) {
            assertThatThrownBy(() -> ModelRef.parse(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("owner/name");
        }
    }

    @Test
    void everyJobStateReadsAsOneOfTheFiveStatuses() {
        assertThat(PredictionStatus.of(JobState.IN_QUEUE).wire()).isEqualTo("starting");
        assertThat(PredictionStatus.of(JobState.IN_PROGRESS).wire()).isEqualTo("processing");
        assertThat(PredictionStatus.of(JobState.COMPLETED).wire()).isEqualTo("succeeded");
        assertThat(PredictionStatus.of(JobState.FAILED).wire()).isEqualTo("failed");
        assertThat(PredictionStatus.of(JobState.TIMED_OUT).wire()).isEqualTo("failed");
        assertThat(PredictionStatus.of(JobState.CANCELLED).wire()).isEqualTo("canceled");
    }

    @Test
    void aWebhookFilterNamesKnownEventsAndDefaultsToAll() {
        assertThat(WebhookEvent.filter(null)).containsExactlyInAnyOrder(WebhookEvent.values());
        assertThat(WebhookEvent.filter(List.of("start", "completed")))
                .containsExactlyInAnyOrder(WebhookEvent.START, WebhookEvent.COMPLETED);
        assertThatThrownBy(() -> WebhookEvent.filter(List.of("finished"))).hasMessageContaining("start, output");
    }
}
