package dev.hearth.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkerOptionsTest {

    private static Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("RUNPOD_WEBHOOK_GET_JOB", "http://cp/v2/echo/job-take/$ID?gpu=cpu");
        env.put("RUNPOD_WEBHOOK_POST_OUTPUT", "http://cp/v2/echo/job-done/$RUNPOD_POD_ID/$ID?gpu=cpu");
        env.put("RUNPOD_WEBHOOK_POST_STREAM", "http://cp/v2/echo/job-stream/$RUNPOD_POD_ID/$ID?gpu=cpu");
        env.put("RUNPOD_WEBHOOK_PING", "http://cp/v2/echo/ping/$RUNPOD_POD_ID?gpu=cpu");
        env.put("RUNPOD_PING_INTERVAL", "2500");
        env.put("RUNPOD_AI_API_KEY", "secret-token");
        env.put("RUNPOD_POD_ID", "w-7");
        env.put("RUNPOD_ENDPOINT_ID", "echo");
        env.put("HEARTH_CONCURRENCY", "3");
        return env;
    }

    @Test
    void readsTheWorkerVariables() {
        WorkerOptions o = WorkerOptions.newBuilder().setEnvironment(env()).build();

        assertThat(o.getJobTakeUrl()).isEqualTo("http://cp/v2/echo/job-take/$ID?gpu=cpu");
        assertThat(o.getJobDoneUrl()).isEqualTo("http://cp/v2/echo/job-done/$RUNPOD_POD_ID/$ID?gpu=cpu");
        assertThat(o.getJobStreamUrl()).hasValue("http://cp/v2/echo/job-stream/$RUNPOD_POD_ID/$ID?gpu=cpu");
        assertThat(o.getPingUrl()).hasValue("http://cp/v2/echo/ping/$RUNPOD_POD_ID?gpu=cpu");
        assertThat(o.getPingInterval()).isEqualTo(Duration.ofMillis(2500));
        assertThat(o.getApiKey()).hasValue("secret-token");
        assertThat(o.getWorkerId()).isEqualTo("w-7");
        assertThat(o.getEndpointId()).hasValue("echo");
        assertThat(o.getConcurrency()).isEqualTo(3);
        assertThat(o.toString()).doesNotContain("secret-token");
    }

    @Test
    void defaultsMatchRunpodPython() {
        Map<String, String> env = env();
        env.remove("RUNPOD_PING_INTERVAL");
        env.remove("HEARTH_CONCURRENCY");
        WorkerOptions o = WorkerOptions.newBuilder().setEnvironment(env).build();

        assertThat(o.getPingInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(o.getConcurrency()).isEqualTo(1);
    }

    @Test
    void settersAfterTheEnvironmentWin() {
        WorkerOptions o = WorkerOptions.newBuilder().setEnvironment(env()).setConcurrency(8).build();

        assertThat(o.getConcurrency()).isEqualTo(8);
        assertThat(o.toBuilder().setConcurrency(2).build().getConcurrency()).isEqualTo(2);
    }

    @Test
    void aMissingTakeUrlNamesTheVariable() {
        Map<String, String> env = env();
        env.remove("RUNPOD_WEBHOOK_GET_JOB");

        assertThatThrownBy(() -> WorkerOptions.newBuilder().setEnvironment(env).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("RUNPOD_WEBHOOK_GET_JOB");
    }

    @Test
    void aMalformedConcurrencyNamesTheVariable() {
        Map<String, String> env = env();
        env.put("HEARTH_CONCURRENCY", "many");

        assertThatThrownBy(() -> WorkerOptions.newBuilder().setEnvironment(env))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("HEARTH_CONCURRENCY");
        env.put("HEARTH_CONCURRENCY", "0");
        assertThatThrownBy(() -> WorkerOptions.newBuilder().setEnvironment(env).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("at least 1");
    }
}
