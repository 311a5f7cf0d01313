package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

/** The check every bad-input test makes: a problem+json answer with this status whose detail says these things. */
final class Problems {

    private Problems() {
    }

    static void assertProblem(TestServer.Response r, int status, String... details) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        JsonNode problem = r.json();
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        for (String d : details) {
            assertThat(problem.get("detail").asText()).contains(d);
        }
    }
}
