package dev.hearth.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.errors.HearthException;
import dev.hearth.functions.FunctionVersion;
import dev.hearth.jobs.Job;
import dev.hearth.jobs.JobState;
import dev.hearth.replicate.CancelAfter;
import dev.hearth.replicate.PreferWait;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Replicate's HTTP API at {@code /v1}: predictions, models and their versions, files, the webhook secret. Parses and
 * checks the request, then asks {@link Replicate}. Errors are the API's problem JSON, which carries Replicate's
 * {@code title}, {@code detail} and {@code status}.
 */
final class ReplicateRoutes {

    static final long CREATE_LIMIT = 10L << 20;
    private static final int PAGE = 100;
    private static final Duration KEEPALIVE = Duration.ofSeconds(10);

    private final Replicate replicate;

    ReplicateRoutes(Replicate replicate) {
        this.replicate = replicate;
    }

    /** Whether a route is Replicate's client API: calls need invoke, reads need read, none is a management action. */
    static boolean isClientRoute(String template) {
        return template.startsWith("/v1/predictions") || template.startsWith("/v1/models/")
                || template.startsWith("/v1/deployments/") || template.startsWith("/v1/files");
    }

    void register(Router r) {
        Router.Access c = Router.Access.CLIENT;
        r.add("POST", "/v1/models/{owner}/{fn}/predictions", c, this::createForModel)
                .add("POST", "/v1/deployments/{owner}/{fn}/predictions", c, this::createForModel)
                .add("POST", "/v1/predictions", c, this::create)
                .add("GET", "/v1/predictions", c, this::list)
                .add("GET", "/v1/predictions/{id}", c, this::get)
                .add("POST", "/v1/predictions/{id}/cancel", c, this::cancel)
                // a capability URL: the client fetches it without its key
                .add("GET", "/v1/predictions/{id}/stream", Router.Access.PUBLIC, this::stream)
                .add("GET", "/v1/models/{owner}/{fn}", c, this::model)
                .add("GET", "/v1/models/{owner}/{fn}/versions", c, this::versions)
                .add("GET", "/v1/models/{owner}/{fn}/versions/{version}", c, this::version)
                .add("POST", "/v1/files", c, this::upload)
                .add("GET", "/v1/files/{file}", c, this::file)
                .add("DELETE", "/v1/files/{file}", c, this::deleteFile)
                .add("GET", "/v1/files/{file}/content", Router.Access.PUBLIC, this::fileContent)
                .add("GET", "/v1/webhooks/default/secret", c,
                        call -> call.json(200, Map.of("key", replicate.webhooks.secret())));
    }

    // ---------------------------------------------------------------- predictions

    private void createForModel(Call call) {
        String fn = call.param("fn");
        replicate.functions.require(fn);
        create(call, new Replicate.Target(call.param("owner"), fn, null), call.json(CREATE_LIMIT, "a prediction"));
    }

    private void create(Call call) {
        JsonNode body = call.json(CREATE_LIMIT, "a prediction");
        JsonNode version = body.get("version");
        if (version == null || !version.isTextual()) {
            throw new HearthException.BadRequest((version == null ? "missing 'version'" : "'version' must be a string")
                    + ": send owner/name, owner/name:<version id>, a version id or name:N, or POST "
                    + "/v1/models/{owner}/{name}/predictions");
        }
        Replicate.Target target = replicate.resolve(version.asText());
        if (!Replicate.reaches(call.key(), target.function())) {
            throw new HearthException.NotFound("function '" + target.function() + "' is not one this key is for ("
                    + String.join(", ", call.key().functions()) + ")");
        }
        create(call, target, body);
    }

    private void create(Call call, Replicate.Target target, JsonNode body) {
        Optional<Duration> wait;
        Duration cancelAfter = null;
        try {
            wait = PreferWait.parse(call.header("Prefer"));
            String ca = call.header("Cancel-After");
            if (ca != null) {
                cancelAfter = CancelAfter.parse(ca);
            }
        } catch (IllegalArgumentException e) {
            throw new HearthException.BadRequest(e.getMessage());
        }
        String base = base(call);
        Job job = replicate.create(target, body, cancelAfter, base);
        ObjectNode view;
        if (wait.isPresent()) {
            job = replicate.jobs.awaitFinal(job.function(), job.id(), wait.get());
            // what the worker printed so far: the end of a job that just ended is recorded a moment later
            view = replicate.view(job, base, Replicate.Logs.SO_FAR);
            if (!job.state().isFinal()) {
                // Replicate's clients take any other status after a wait for the end (the JS client's run() returns
                // a null output for "processing"); "starting" makes them poll
                view.put("status", "starting");
            }
        } else {
            view = replicate.view(job, base, Replicate.Logs.SO_FAR);
        }
        call.json(201, view);
    }

    private void get(Call call) {
        call.json(200, replicate.view(replicate.find(call.param("id"), call.key()), base(call), Replicate.Logs.ALL));
    }

    private void cancel(Call call) {
        Job job = replicate.find(call.param("id"), call.key());
        call.json(200, replicate.view(replicate.jobs.cancel(job.function(), job.id()), base(call), Replicate.Logs.ALL));
    }

    private void list(Call call) {
        Instant now = replicate.clock.instant();
        Instant after = call.queryInstant("created_after", now, null);
        Instant before = call.queryInstant("created_before", now, null);
        List<Job> page = replicate.page(call.query("cursor"), after, before, call.key(), PAGE);
        String base = base(call);
        ObjectNode n = Json.MAPPER.createObjectNode();
        ArrayNode results = Json.MAPPER.createArrayNode();
        page.stream().limit(PAGE).forEach(j -> results.add(replicate.view(j, base, Replicate.Logs.NONE)));
        if (page.size() > PAGE) {
            StringBuilder next = new StringBuilder(base).append("/v1/predictions?cursor=")
                    .append(Replicate.cursor(page.get(PAGE - 1)));
            if (after != null) {
                next.append("&created_after=").append(after);
            }
            if (before != null) {
                next.append("&created_before=").append(before);
            }
            n.put("next", next.toString());
        } else {
            n.putNull("next");
        }
        n.putNull("previous");
        n.set("results", results);
        call.json(200, n);
    }

    /**
     * Replicate's stream: {@code output} events as the generator yields (a function that does not yield sends its
     * output as one), then {@code error} if it failed, then {@code done}.
     */
    private void stream(Call call) throws IOException {
        String id = call.param("id");
        if (!replicate.capabilities.grants("stream:" + id, call.query("expires"), call.query("sig"),
                replicate.clock.instant())) {
            throw new HearthException.Unauthorized("this stream URL is not valid (expired, or for another "
                    + "prediction); take urls.stream from the prediction again");
        }
        Job job = replicate.jobs.get(id);
        call.responseHeader("Cache-Control", "no-store");
        String base = base(call);
        try (OutputStream out = call.stream(200, "text/event-stream")) {
            int from = 0;
            while (true) {
                Optional<List<String>> chunks = replicate.jobs.readStreamFrom(id, from, KEEPALIVE);
                job = replicate.jobs.get(id);
                for (String c : chunks.orElse(List.of())) {
                    event(out, "output", data(replicate.withFileUrls(job, Replicate.parse(c), base)));
                }
                from += chunks.map(List::size).orElse(0);
                boolean nothingNew = chunks.map(List::isEmpty).orElse(true);
                if (nothingNew && job.state().isFinal()) {
                    break;
                }
                if (nothingNew) {
                    out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            }
            if (from == 0 && job.state() == JobState.COMPLETED && job.output() != null) {
                // nothing was yielded (or it is no longer kept): the output, as the chunks it holds
                JsonNode output = replicate.withFileUrls(job, Replicate.parse(job.output()), base);
                for (JsonNode o : output.isArray() ? output : List.of(output)) {
                    event(out, "output", data(o));
                }
            }
            switch (job.state()) {
                case COMPLETED -> event(out, "done", "{}");
                case CANCELLED -> event(out, "done", "{\"reason\":\"canceled\"}");
                default -> {
                    ObjectNode err = Json.MAPPER.createObjectNode();
                    err.put("detail", replicate.view(job, base, Replicate.Logs.NONE).path("error").asText());
                    event(out, "error", err.toString());
                    event(out, "done", "{\"reason\":\"error\"}");
                }
            }
        }
    }

    /** An output event's data: a string as it is, anything else as JSON. */
    private static String data(JsonNode o) {
        return o.isTextual() ? o.asText() : o.toString();
    }

    private static void event(OutputStream out, String name, String data) throws IOException {
        StringBuilder b = new StringBuilder("event: ").append(name).append('\n');
        for (String line : data.split("\r\n|\r|\n", -1)) {
            b.append("data: ").append(line).append('\n');
        }
        b.append('\n');
        out.write(b.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    // ---------------------------------------------------------------- models and versions

    private void model(Call call) {
        String fn = call.param("fn");
        FunctionVersion active = replicate.functions.require(fn);
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("url", base(call) + "/v1/models/" + call.param("owner") + "/" + fn);
        n.put("owner", call.param("owner"));
        n.put("name", fn);
        n.putNull("description");
        n.put("visibility", "private");
        n.putNull("github_url");
        n.putNull("paper_url");
        n.putNull("license_url");
        n.putNull("cover_image_url");
        n.putNull("default_example");
        n.set("latest_version", replicate.versionView(active));
        call.json(200, n);
    }

    private void versions(Call call) {
        List<FunctionVersion> all = replicate.functions.versions(call.param("fn"));
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.putNull("next");
        n.putNull("previous");
        ArrayNode results = n.putArray("results");
        all.reversed().forEach(v -> results.add(replicate.versionView(v)));
        call.json(200, n);
    }

    private void version(Call call) {
        String fn = call.param("fn");
        String id = call.param("version");
        FunctionVersion v = replicate.functions.versions(fn).stream()
                .filter(x -> id.equalsIgnoreCase(x.bundleSha256()) || id.equals(Integer.toString(x.version())))
                .reduce((a, b) -> b)
                .orElseThrow(() -> new HearthException.NotFound("no version '" + id + "' of model '" + fn + "'; GET "
                        + "/v1/models/" + call.param("owner") + "/" + fn + "/versions lists them"));
        call.json(200, replicate.versionView(v));
    }

    // ---------------------------------------------------------------- files

    private void upload(Call call) {
        String boundary = Multipart.boundary(call.header("Content-Type"));
        byte[] body = call.body(ReplicateFiles.MAX_UPLOAD + (64 << 10), "a file upload");
        Multipart.Part content = null;
        JsonNode metadata = Json.MAPPER.createObjectNode();
        for (Multipart.Part p : Multipart.parse(body, boundary)) {
            if (p.name().equals("content")) {
                content = p;
            } else if (p.name().equals("metadata")) {
                metadata = Replicate.parse(p.text());
                if (!metadata.isObject()) {
                    throw new HearthException.BadRequest("the 'metadata' part must be a JSON object");
                }
            }
        }
        if (content == null) {
            throw new HearthException.BadRequest("missing the 'content' part: the file to upload");
        }
        if (content.length() > ReplicateFiles.MAX_UPLOAD) {
            throw new HearthException.PayloadTooLarge("the file is larger than "
                    + (ReplicateFiles.MAX_UPLOAD >> 20) + " MB, the limit for an upload; pass larger inputs by URL");
        }
        ReplicateFiles.StoredFile f = replicate.files.upload(content, metadata, replicate.clock.instant());
        call.json(201, ReplicateFiles.view(f, replicate.fileUrl(f, base(call))));
    }

    private ReplicateFiles.StoredFile storedFile(Call call) {
        return replicate.files.find(call.param("file")).orElseThrow(() -> new HearthException.NotFound("no file '"
                + call.param("file") + "' (unknown or expired)"));
    }

    private void file(Call call) {
        ReplicateFiles.StoredFile f = storedFile(call);
        call.json(200, ReplicateFiles.view(f, replicate.fileUrl(f, base(call))));
    }

    private void deleteFile(Call call) {
        if (!replicate.files.delete(call.param("file"))) {
            throw new HearthException.NotFound("no file '" + call.param("file") + "' (unknown or expired)");
        }
        call.empty(204);
    }

    private void fileContent(Call call) throws IOException {
        String id = call.param("file");
        if (!replicate.capabilities.grants("file:" + id, call.query("expires"), call.query("sig"),
                replicate.clock.instant())) {
            throw new HearthException.Unauthorized("this file URL is not valid (expired, or for another file); "
                    + "take the URL from the prediction or the file again");
        }
        ReplicateFiles.StoredFile f = storedFile(call);
        var path = replicate.files.content(f);
        // served on the dashboard's origin with a type a client chose: an uploaded HTML page must not run there (the
        // dashboard keeps its key in the origin's storage), so it gets an origin of its own and no scripts
        call.responseHeader("Content-Security-Policy", "sandbox; default-src 'none'; img-src 'self'; media-src 'self'");
        call.responseHeader("X-Content-Type-Options", "nosniff");
        try (var in = Files.newInputStream(path)) {
            call.stream(200, f.contentType(), Files.size(path), in);
        }
    }

    /** The server's URL as the client reached it (behind a proxy: as the proxy says), for the URLs answers hold. */
    private String base(Call call) {
        String host = call.header("X-Forwarded-Host");
        if (host == null) {
            host = call.header("Host");
        }
        String proto = call.header("X-Forwarded-Proto");
        if (host == null || !host.matches("[A-Za-z0-9.:\\[\\]_-]{1,255}")) {
            host = "127.0.0.1";
        }
        return ("https".equalsIgnoreCase(proto) ? "https" : "http") + "://" + host;
    }
}
