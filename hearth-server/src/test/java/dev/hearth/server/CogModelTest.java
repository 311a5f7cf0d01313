package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.hearth.server.envs.PipSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Cog models deployed as they are (a directory with {@code cog.yaml} and {@code predict.py}, no hearth.yaml): the
 * repository's examples and a model with packages, run by real workers through the RunPod-style API.
 */
class CogModelTest {

    private static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();
    private static final Path WHEELS = wheels();

    @RegisterExtension
    static final TestServer hearth = TestServer.withFunctions().configured(b -> b.pip(
            new PipSettings(null, WHEELS.toString(), List.of("--no-index"))));

    private static HttpServer files;

    @BeforeAll
    static void deployTheExamples() {
        assertThat(hearth.deploy(EXAMPLES.resolve("cog-words"), "?name=cog-words").status()).isEqualTo(201);
        assertThat(hearth.deploy(EXAMPLES.resolve("cog-banner"), "?name=cog-banner").status()).isEqualTo(201);
    }

    @AfterAll
    static void stopFiles() {
        if (files != null) {
            files.stop(0);
        }
    }

    @Test
    void aCogModelDeploysWithoutAHearthYamlAndRunsItsPredictor() {
        JsonNode r = hearth.post("/v2/cog-words/runsync",
                "{\"input\":{\"prompt\":\"Warm\",\"words\":3,\"style\":\"shout\",\"seed\":7}}").json();

        assertThat(r.get("status").asText()).as(r.toString()).isEqualTo("COMPLETED");
        List<String> words = TestServer.JSON.convertValue(r.get("output"), List.class);
        assertThat(words).hasSize(4).first().isEqualTo("Warm");
        assertThat(words.subList(1, 4)).allSatisfy(w -> assertThat(w).startsWith(" ").isUpperCase());
    }

    @Test
    void aGeneratorPredictorStreamsItsItems() {
        String id = hearth.run("cog-words", "{\"prompt\":\"a\",\"words\":5,\"seed\":1}");
        StringBuilder seen = new StringBuilder();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            JsonNode s = hearth.get("/v2/cog-words/stream/" + id).json();
            s.get("stream").forEach(c -> seen.append(c.get("output").asText()));
            return s.get("status").asText().equals("COMPLETED");
        });

        assertThat(seen.toString()).startsWith("a ").hasSizeGreaterThan(10);
        assertThat(String.join("", TestServer.JSON.convertValue(hearth.status("cog-words", id).get("output"),
                List.class))).isEqualTo(seen.toString());
    }

    @Test
    void aBadInputFailsTheJobNamingTheField() {
        JsonNode outOfRange = hearth.post("/v2/cog-words/runsync", "{\"input\":{\"prompt\":\"a\",\"words\":500}}")
                .json();
        JsonNode missing = hearth.post("/v2/cog-words/runsync", "{\"input\":{\"words\":2}}").json();

        assertThat(outOfRange.get("status").asText()).isEqualTo("FAILED");
        assertThat(outOfRange.get("error").asText())
                .isEqualTo("input 'words': ensure this value is less than or equal to 100");
        assertThat(missing.get("status").asText()).isEqualTo("FAILED");
        assertThat(missing.get("error").asText()).isEqualTo("input 'prompt': field required");
    }

    @Test
    void aPathOutputIsADataUrlAndAPathInputIsFetchedFromAUrl() throws IOException {
        byte[] png = png(hearth.post("/v2/cog-banner/runsync", "{\"input\":{\"width\":40,\"height\":3}}").json());
        assertThat(size(png)).containsExactly(40, 3);
        files = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        files.createContext("/like.png", ex -> {
            ex.sendResponseHeaders(200, png.length);
            ex.getResponseBody().write(png);
            ex.close();
        });
        files.start();
        String url = "http://127.0.0.1:" + files.getAddress().getPort() + "/like.png";

        JsonNode fromUrl = hearth.post("/v2/cog-banner/runsync", "{\"input\":{\"like\":\"" + url + "\"}}").json();
        String dataUrl = "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
        JsonNode fromDataUrl = hearth.post("/v2/cog-banner/runsync",
                "{\"input\":{\"like\":\"" + dataUrl + "\",\"color\":\"teal\"}}").json();

        assertThat(size(png(fromUrl))).containsExactly(40, 3);
        assertThat(size(png(fromDataUrl))).containsExactly(40, 3);
    }

    @Test
    void theModelsOpenApiSchemaIsServedPerVersion() {
        JsonNode schema = hearth.get("/v1/functions/cog-words/versions/1/schema").json();

        JsonNode input = schema.at("/components/schemas/Input");
        assertThat(input.get("required")).containsExactly(TestServer.JSON.getNodeFactory().textNode("prompt"));
        assertThat(input.at("/properties/words/maximum").asInt()).isEqualTo(100);
        assertThat(input.at("/properties/words/default").asInt()).isEqualTo(8);
        assertThat(schema.at("/components/schemas/style/enum").toString()).isEqualTo("[\"plain\",\"shout\"]");
        assertThat(schema.at("/components/schemas/Output/x-cog-array-display").asText()).isEqualTo("concatenate");
        assertThat(hearth.get("/v1/functions/cog-banner/versions/1/schema").json()
                .at("/components/schemas/Output/format").asText()).isEqualTo("uri");
        assertThat(hearth.get("/v1/functions/cog-words/versions/9/schema").status()).isEqualTo(404);
    }

    @Test
    void throughReplicatesApiTheModelRunsAndItsVersionCarriesItsSchema() {
        JsonNode p = hearth.send(java.net.http.HttpRequest.newBuilder(hearth.url().resolve(
                        "/v1/models/acme/cog-words/predictions"))
                .header("Authorization", "Bearer " + TestServer.KEY).header("Content-Type", "application/json")
                .header("Prefer", "wait")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                        "{\"input\":{\"prompt\":\"Hi\",\"words\":2,\"seed\":4}}"))).json();
        JsonNode bad = hearth.send(java.net.http.HttpRequest.newBuilder(hearth.url().resolve(
                        "/v1/models/acme/cog-words/predictions"))
                .header("Authorization", "Bearer " + TestServer.KEY).header("Content-Type", "application/json")
                .header("Prefer", "wait")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"input\":{\"words\":2}}"))).json();

        assertThat(p.get("status").asText()).as(p.toString()).isEqualTo("succeeded");
        assertThat(p.get("output").get(0).asText()).isEqualTo("Hi");
        assertThat(bad.get("status").asText()).as(bad.toString()).isEqualTo("failed");
        assertThat(bad.get("error").asText()).contains("input 'prompt': field required");
        JsonNode version = hearth.get("/v1/models/acme/cog-words").json().path("latest_version");
        assertThat(version.at("/openapi_schema/components/schemas/Input/properties/words/maximum").asInt())
                .as(version.toString()).isEqualTo(100);
    }

    @Test
    void itsPackagesAreInstalledByTheEnvironmentBuilderAndAHearthYamlBesideItOverridesIt() throws IOException {
        Path dir = Files.createTempDirectory("cog-probe");
        Files.writeString(dir.resolve("cog.yaml"), """
                build:
                  python_version: "3.11"
                  python_packages: ["hearth-cog-probe==1.0"]
                predict: "predict.py:Predictor"
                image: r8.im/acme/ignored-name
                """);
        Files.writeString(dir.resolve("predict.py"), """
                import hearth_cog_probe
                from cog import BasePredictor

                class Predictor(BasePredictor):
                    def predict(self, x: int = 1) -> str:
                        return hearth_cog_probe.VERSION + ":" + str(x * 2)
                """);
        Files.writeString(dir.resolve("hearth.yaml"), "name: probe-model\nscaling: {maxWorkers: 1}\n");

        assertThat(hearth.deploy(dir, "?name=dir-name").status()).isEqualTo(201);
        JsonNode r = hearth.post("/v2/probe-model/runsync", "{\"input\":{\"x\":21}}").json();

        assertThat(r.get("output").asText()).as(r.toString()).isEqualTo("1.0:42");
        JsonNode fn = hearth.get("/v1/functions/probe-model").json();
        assertThat(fn.at("/scaling/maxWorkers").asInt()).isEqualTo(1);
    }

    @Test
    void gpuTrueGetsAGpuOfWhateverTypeThereIs() throws IOException {
        Path dir = model("""
                build: {gpu: true}
                predict: "predict.py:Predictor"
                """, """
                import os
                from cog import BasePredictor

                class Predictor(BasePredictor):
                    def predict(self) -> str:
                        return os.environ["HEARTH_GPU_TYPE"] + "/" + os.environ["CUDA_VISIBLE_DEVICES"]
                """);
        assertThat(hearth.deploy(dir, "?name=any-gpu").status()).isEqualTo(201);

        JsonNode r = hearth.post("/v2/any-gpu/runsync", "{\"input\":{}}").json();

        assertThat(r.get("output").asText()).as(r.toString()).matches("H100/[01]");
    }

    @Test
    void aModelUsingMoreOfCogThanTheShimFailsSayingWhatIsMissing() throws IOException {
        Path dir = model("predict: \"predict.py:Predictor\"\n", """
                from cog import BasePredictor, BaseModel

                class Predictor(BasePredictor):
                    def predict(self) -> str:
                        return "never"
                """);
        assertThat(hearth.deploy(dir, "?name=more-cog").status()).isEqualTo(201);

        JsonNode r = hearth.post("/v2/more-cog/runsync", "{\"input\":{}}").json();
        JsonNode done = r.get("status").asText().equals("FAILED") ? r
                : hearth.awaitFinal("more-cog", r.get("id").asText());

        assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("FAILED");
        assertThat(done.get("error").asText()).contains("cog.BaseModel is not available on Hearth");
    }

    @Test
    void aCogModelWithNoNameAnywhereIsRefusedSayingHowToNameIt() {
        TestServer.Response r = hearth.deploy(EXAMPLES.resolve("cog-words"), "");

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).contains("needs a function name");
    }

    private static Path model(String cogYaml, String predictPy) throws IOException {
        Path dir = Files.createTempDirectory("cog-model");
        Files.writeString(dir.resolve("cog.yaml"), cogYaml);
        Files.writeString(dir.resolve("predict.py"), predictPy);
        return dir;
    }

    private static byte[] png(JsonNode result) {
        assertThat(result.get("status").asText()).as(result.toString()).isEqualTo("COMPLETED");
        String out = result.get("output").asText();
        assertThat(out).startsWith("data:image/png;base64,");
        return Base64.getDecoder().decode(out.substring(out.indexOf(',') + 1));
    }

    private static int[] size(byte[] png) {
        ByteBuffer b = ByteBuffer.wrap(png, 16, 8);
        return new int[] {b.getInt(), b.getInt()};
    }

    private static Path wheels() {
        try {
            Path dir = Files.createTempDirectory("hearth-cog-wheels");
            Wheels.write(dir, "hearth-cog-probe", "1.0", "VERSION = \"1.0\"\n");
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
