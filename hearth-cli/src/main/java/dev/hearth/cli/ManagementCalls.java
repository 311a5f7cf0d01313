package dev.hearth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Plain JSON calls to the management API, for commands the client SDK does not cover (usage, budgets, keys). Errors
 * become one line: the server's problem detail, or that no server answers.
 */
final class ManagementCalls {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI url;
    private final String key;

    ManagementCalls(Credentials credentials, String key) {
        this.url = credentials.url();
        this.key = key;
    }

    static ManagementCalls of(ClientOptions options, Context ctx) {
        Credentials c = options.credentials(ctx);
        return new ManagementCalls(c, c.requireKey(ctx.resolve(options.dataDir)));
    }

    JsonNode get(String path) {
        return send(request(path).GET());
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

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(url.resolve(path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + key);
    }

    private JsonNode send(HttpRequest.Builder request) {
        HttpResponse<String> r;
        try {
            r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw CliException.failure("no Hearth server at " + url + "; start one with ./hearth up");
        } catch (IOException e) {
            throw CliException.failure("cannot reach " + url + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliException.failure("interrupted");
        }
        JsonNode body = r.body() == null || r.body().isBlank() ? null : Json.parse(r.body(), "the server's answer");
        if (r.statusCode() / 100 != 2) {
            String detail = body != null && body.has("detail") ? body.get("detail").asText() : r.body();
            throw CliException.failure(r.statusCode() == 401 ? "the server refused the API key: " + detail
                    + " (check --key, $HEARTH_API_KEY or .hearth/client.json)" : detail);
        }
        return body;
    }
}
