package dev.hearth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * Plain JSON calls to the management API, for commands the client SDK does not cover (usage, budgets, keys and
 * volumes). Errors become one line: the server's problem detail, or that no server answers. Files travel streamed,
 * never held in memory whole, and without the 30-second limit of the other calls.
 */
final class ManagementCalls {

    private final HttpClient http;
    private final URI url;
    private final String key;

    ManagementCalls(Credentials credentials, String key) {
        this(credentials, key, null);
    }

    /** {@code caFile}: PEM CA certificates to trust for an https server; null for the JDK's own trust. */
    ManagementCalls(Credentials credentials, String key, java.nio.file.Path caFile) {
        this.url = credentials.url();
        this.key = key;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (caFile != null) {
            try {
                b.sslContext(dev.hearth.client.TrustedCertificates.sslContext(caFile));
            } catch (IllegalArgumentException e) {
                throw CliException.usage(e.getMessage());
            }
        }
        this.http = b.build();
    }

    static ManagementCalls of(ClientOptions options, Context ctx) {
        Credentials c = options.credentials(ctx);
        return new ManagementCalls(c, c.requireKey(ctx.resolve(options.dataDir)), options.caFile(ctx));
    }

    JsonNode get(String path) {
        return send(request(path).GET());
    }

    /** GETs a text answer (a rules file, say) as it is. */
    String text(String path) {
        HttpResponse<String> r = exchange(request(path).GET(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            fail(r.statusCode(), r.body());
        }
        return r.body();
    }

    JsonNode put(String path, String json) {
        return send(request(path).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    JsonNode post(String path, String json) {
        return send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    JsonNode delete(String path) {
        return send(request(path).DELETE());
    }

    /** PUTs a file's bytes, read as they are sent. */
    JsonNode upload(String path, Path file) {
        try {
            return send(transfer(path).header("Content-Type", "application/octet-stream")
                    .PUT(HttpRequest.BodyPublishers.ofFile(file)));
        } catch (FileNotFoundException e) {
            throw CliException.usage("cannot read " + file + ": " + e.getMessage());
        }
    }

    /** GETs a file into {@code to}, through a temporary file beside it: a broken download leaves no half file. */
    void download(String path, Path to) {
        HttpResponse<InputStream> r = exchange(transfer(path).GET(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            if (r.statusCode() / 100 != 2) {
                fail(r.statusCode(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            Path dir = to.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".hearth-", ".part");
            try {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw CliException.failure("cannot download " + path + " to " + to + ": " + e.getMessage());
        }
    }

    private HttpRequest.Builder request(String path) {
        return transfer(path).timeout(Duration.ofSeconds(30));
    }

    private HttpRequest.Builder transfer(String path) {
        return HttpRequest.newBuilder(url.resolve(path)).header("Authorization", "Bearer " + key);
    }

    private JsonNode send(HttpRequest.Builder request) {
        HttpResponse<String> r = exchange(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            fail(r.statusCode(), r.body());
        }
        return r.body() == null || r.body().isBlank() ? null : Json.parse(r.body(), "the server's answer");
    }

    private <T> HttpResponse<T> exchange(HttpRequest.Builder request, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(request.build(), handler);
        } catch (ConnectException e) {
            throw CliException.failure("no Hearth server at " + url + "; start one with ./hearth up");
        } catch (IOException e) {
            throw CliException.failure("cannot reach " + url + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliException.failure("interrupted");
        }
    }

    /** The server's problem detail as the command's failure. */
    private static void fail(int status, String body) {
        String detail = body;
        try {
            JsonNode problem = body == null || body.isBlank() ? null : Json.MAPPER.readTree(body);
            if (problem != null && problem.has("detail")) {
                detail = problem.get("detail").asText();
            }
        } catch (IOException e) {
            // not JSON: the body as it came
        }
        throw CliException.failure(status == 401 ? "the server refused the API key: " + detail
                + " (check --key, $HEARTH_API_KEY or .hearth/client.json)" : detail);
    }
}
