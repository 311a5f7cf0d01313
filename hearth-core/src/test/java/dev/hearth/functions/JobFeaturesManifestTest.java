package dev.hearth.functions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.retry.Backoff;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The manifest's {@code retries} with backoff (Modal's Retries) and {@code batch}. */
class JobFeaturesManifestTest {

    private static FunctionManifest parse(String extra) {
        return ManifestParser.parse("name: a\nhandler: h.py:f\n" + extra);
    }

    @Test
    void aPlainRetryCountRetriesAtOnceAndDoesNotBatch() {
        FunctionManifest m = parse("retries: 3\n");

        assertThat(m.retries()).isEqualTo(3);
        assertThat(m.retryBackoff()).isEqualTo(Backoff.NONE);
        assertThat(m.batch()).isNull();
    }

    @Test
    void retriesWithBackoffAreRead() {
        FunctionManifest m = parse("retries: {maxRetries: 4, backoff: {initialDelay: 250ms, coefficient: 1.5, "
                + "maxDelay: 10s}}\n");

        assertThat(m.retries()).isEqualTo(4);
        assertThat(m.retryBackoff()).isEqualTo(new Backoff(Duration.ofMillis(250), 1.5, Duration.ofSeconds(10)));
    }

    @Test
    void missingBackoffFieldsTakeModalsDefaults() {
        assertThat(parse("retries: {maxRetries: 2}\n").retryBackoff()).isEqualTo(Backoff.DEFAULT);
        assertThat(parse("retries: {maxRetries: 2, backoff: {initialDelay: 2s}}\n").retryBackoff())
                .isEqualTo(new Backoff(Duration.ofSeconds(2), 2.0, Duration.ofSeconds(60)));
    }

    @Test
    void badRetriesAreErrorsThatNameTheField() {
        assertThatThrownBy(() -> parse("retries: {backoff: {initialDelay: 1s}}\n"))
                .hasMessageContaining("'retries.maxRetries' is required");
        assertThatThrownBy(() -> parse("retries: {maxRetries: 1, backof: {}}\n"))
                .hasMessageContaining("unknown field 'retries.backof'");
        assertThatThrownBy(() -> parse("retries: {maxRetries: 1, backoff: {coefficient: 0.5}}\n"))
                .hasMessageContaining("'retries.backoff.coefficient' must be a number from 1.0 to 10.0");
        assertThatThrownBy(() -> parse("retries: {maxRetries: 1, backoff: {initialDelay: 5s, maxDelay: 1s}}\n"))
                .hasMessageContaining("'retries.backoff.maxDelay' (1s) must be at least");
    }

    @Test
    void batchIsRead() {
        BatchConfig b = parse("batch: {maxSize: 8, wait: 50ms}\n").batch();

        assertThat(b).isEqualTo(new BatchConfig(8, Duration.ofMillis(50)));
        assertThat(parse("batch: {maxSize: 4}\n").batch().maxWait()).isZero();
    }

    @Test
    void badBatchesAreErrorsThatNameTheField() {
        assertThatThrownBy(() -> parse("batch: {wait: 50ms}\n")).hasMessageContaining("'batch.maxSize' is required");
        assertThatThrownBy(() -> parse("batch: {maxSize: 0}\n")).hasMessageContaining("'batch.maxSize' must be");
        assertThatThrownBy(() -> parse("batch: {maxSize: 2, wait: 1m}\n"))
                .hasMessageContaining("'batch.wait' must be at most 10s");
        assertThatThrownBy(() -> parse("batch: {maxSize: 2, size: 3}\n"))
                .hasMessageContaining("unknown field 'batch.size'");
    }
}
