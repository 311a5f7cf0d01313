package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Secrets reach the workers of the functions that name them, and nothing else: no API answer, no other worker. */
class SecretsTest {

    private static final String HF = "hf_s3cr3t_value_one";
    private static final String OTHER = "other-function-value-two";

    @RegisterExtension
    final TestServer hearth = TestServer.withFunctions();

    /** A function that prints its secret and returns the variables the job asks for. */
    static Path probe(String name, String secrets) throws IOException {
        Path dir = Files.createTempDirectory(name);
        Files.writeString(dir.resolve("handler.py"), """
                import os
                def handler(job):
                    print("the token is " + os.environ.get("HF_TOKEN", "unset"), flush=True)
                    return {k: os.environ.get(k) for k in job["input"]["names"]}
                """);
        Files.writeString(dir.resolve("hearth.yaml"), "name: " + name + "\nhandler: handler.py:handler\n"
                + "secrets: " + secrets + "\nscaling: {idleTimeout: 30s}\n");
        return dir;
    }

    JsonNode runProbe(String function, String... names) {
        String id = hearth.run(function, "{\"names\": " + TestServer.JSON.valueToTree(names) + "}");
        JsonNode done = hearth.awaitFinal(function, id);
        assertThat(done.get("status").asText()).as("%s", done).isEqualTo("COMPLETED");
        return done;
    }

    @Test
    void aSecretIsListedByNameAndKeysButNoAnswerCarriesItsValue() {
        TestServer.Response set = hearth.put("/v1/secrets/hf-token", "{\"HF_TOKEN\": \"" + HF + "\", \"HF_USER\": "
                + "\"me\"}");
        assertThat(set.status()).as(set.body()).isEqualTo(200);

        JsonNode listed = hearth.get("/v1/secrets").json();

        assertThat(listed.get("secrets")).hasSize(1);
        JsonNode s = listed.get("secrets").get(0);
        assertThat(s.get("name").asText()).isEqualTo("hf-token");
        assertThat(s.get("keys").toString()).isEqualTo("[\"HF_TOKEN\",\"HF_USER\"]");
        assertThat(s.has("updatedAt")).isTrue();
        assertThat(set.body() + listed).doesNotContain(HF).doesNotContain("\"me\"");
    }

    @Test
    void deployingAFunctionThatNamesAnUnknownSecretFailsNamingIt() throws IOException {
        TestServer.Response r = hearth.deploy(probe("needs-token", "[hf-token]"), "");

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().get("detail").asText()).contains("hf-token").contains("hearth secret set");
    }

    @Test
    void aWorkerGetsItsOwnSecretsButNotAnotherFunctionsAndPrintedValuesAreMasked() throws IOException {
        hearth.put("/v1/secrets/hf-token", "{\"HF_TOKEN\": \"" + HF + "\"}");
        hearth.put("/v1/secrets/other", "{\"OTHER_TOKEN\": \"" + OTHER + "\"}");
        assertThat(hearth.deploy(probe("with-token", "[hf-token]"), "").status()).isEqualTo(201);
        assertThat(hearth.deploy(probe("with-other", "[other]"), "").status()).isEqualTo(201);

        JsonNode mine = runProbe("with-token", "HF_TOKEN", "OTHER_TOKEN");
        JsonNode theirs = runProbe("with-other", "HF_TOKEN", "OTHER_TOKEN");

        assertThat(mine.get("output").get("HF_TOKEN").asText()).isEqualTo(HF);
        assertThat(mine.get("output").get("OTHER_TOKEN").isNull()).isTrue();
        assertThat(theirs.get("output").get("OTHER_TOKEN").asText()).isEqualTo(OTHER);
        assertThat(theirs.get("output").get("HF_TOKEN").isNull()).isTrue();

        String jobLogs = hearth.get("/v1/jobs/" + mine.get("id").asText() + "/logs").body();
        String functionLogs = hearth.get("/v1/functions/with-token/logs").body();
        String workerId = hearth.get("/v1/workers?function=with-token").json().get("workers").get(0).get("id")
                .asText();
        String workerLogs = hearth.get("/v1/workers/" + workerId + "/logs").body();
        assertThat(jobLogs).contains("the token is ***").doesNotContain(HF);
        assertThat(functionLogs).contains("the token is ***").doesNotContain(HF);
        assertThat(workerLogs).contains("the token is ***").doesNotContain(HF);
    }

    @Test
    void valuesAreEncryptedAtRestUnderAKeyOnlyTheServerUserCanRead() throws IOException {
        hearth.put("/v1/secrets/hf-token", "{\"HF_TOKEN\": \"" + HF + "\"}");

        Path key = hearth.dataDir().resolve("secret.key");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        try (Stream<Path> files = Files.walk(hearth.dataDir())) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertThat(new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1))
                        .as("%s", f).doesNotContain(HF);
            }
        }
    }

    @Test
    void aSecretInUseCannotBeRemovedButAnUnusedOneCan() throws IOException {
        hearth.put("/v1/secrets/hf-token", "{\"HF_TOKEN\": \"" + HF + "\"}");
        hearth.put("/v1/secrets/spare", "{\"X\": \"y\"}");
        assertThat(hearth.deploy(probe("with-token", "[hf-token]"), "").status()).isEqualTo(201);

        TestServer.Response inUse = hearth.delete("/v1/secrets/hf-token");
        TestServer.Response unused = hearth.delete("/v1/secrets/spare");

        assertThat(inUse.status()).isEqualTo(409);
        assertThat(inUse.json().get("detail").asText()).contains("with-token");
        assertThat(unused.status()).isEqualTo(200);
        assertThat(hearth.get("/v1/secrets").body()).doesNotContain("spare");
        assertThat(hearth.delete("/v1/secrets/spare").status()).isEqualTo(404);
    }

    @Test
    void badSecretsAreRefusedWithoutQuotingTheirValues() {
        TestServer.Response badKey = hearth.put("/v1/secrets/hf-token", "{\"1BAD\": \"" + HF + "\"}");
        TestServer.Response notString = hearth.put("/v1/secrets/hf-token", "{\"HF_TOKEN\": 12345}");
        TestServer.Response badName = hearth.put("/v1/secrets/Bad_Name", "{\"HF_TOKEN\": \"x\"}");
        TestServer.Response notJson = hearth.put("/v1/secrets/hf-token", "{\"HF_TOKEN\": " + HF + "}");

        for (TestServer.Response r : java.util.List.of(badKey, notString, badName, notJson)) {
            assertThat(r.status()).as(r.body()).isEqualTo(400);
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(r.body()).doesNotContain(HF).doesNotContain("12345");
        }
    }
}
